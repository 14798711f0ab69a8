"""Dependencies point one way (DESIGN.md, "Layout"): the features import portal, portal names them
in one place only, proposals may use forums, the demo replay uses everything and nothing uses it.
Read from the sources with ast, so a new module is checked the day it is written."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "forums", "proposals", "events", "demo")
FEATURES = ("forums", "proposals", "events")
# The one place portal names the features and the demo: their blueprints, commands and models.
REGISTRATION = "portal.features"
# The features' own dependencies besides portal: proposals opens its discussion in a forum thread.
ALLOWED_BETWEEN_FEATURES = {("proposals", "forums")}
# Imports inside a function, each with its reason. The factory reaches the registration point when
# it builds an app: at the top of portal/__init__.py it would be a cycle, since features import portal.
FUNCTION_LEVEL = {("portal", REGISTRATION)}
ENDPOINT_OF_A_FEATURE = re.compile(rf"^(?:{'|'.join(FEATURES)}|demo)\.[a-z_.]+$")


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    in_function: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


SOURCES = {_module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def _package(module: str) -> str:
    return module.split(".")[0]


def _resolve(importer: str, node: ast.ImportFrom) -> list[str]:
    """`from a import b` imports the module a.b when there is one, else names from a."""
    base = node.module or ""
    if node.level:
        is_package = SOURCES[importer].name == "__init__.py"
        anchor = importer.split(".")[: len(importer.split(".")) - node.level + is_package]
        base = ".".join([*anchor, *([base] if base else [])])
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in SOURCES else base for alias in node.names]


class _Collector(ast.NodeVisitor):
    def __init__(self, importer: str):
        self.importer, self.depth, self.found = importer, 0, []

    def _add(self, names: list[str], node: ast.stmt) -> None:
        for name in names:
            if _package(name) in PACKAGES:
                self.found.append(Import(self.importer, name, node.lineno, self.depth > 0))

    def visit_Import(self, node: ast.Import) -> None:
        self._add([alias.name for alias in node.names], node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._add(_resolve(self.importer, node), node)

    def _function(self, node) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    # Imports under `if TYPE_CHECKING:` count as module level: they stand for the same dependency.
    visit_FunctionDef = visit_AsyncFunctionDef = _function


def _imports() -> list[Import]:
    found = []
    for module, path in SOURCES.items():
        collector = _Collector(module)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found += collector.found
    return found


IMPORTS = _imports()


def _where(imports) -> list[str]:
    return [f"{i.importer} imports {i.imported} (line {i.line})" for i in imports]


def test_the_graph_is_read_from_every_package():
    assert {_package(module) for module in SOURCES} == set(PACKAGES)
    assert any(i.importer == "portal.groups.views" and i.imported == "portal.groups.service" for i in IMPORTS)


def test_portal_names_the_features_and_the_demo_only_where_it_registers_them():
    outside = [i for i in IMPORTS if _package(i.importer) == "portal" and _package(i.imported) != "portal"
               and i.importer != REGISTRATION]
    assert not outside, _where(outside)
    registered = {_package(i.imported) for i in IMPORTS if i.importer == REGISTRATION}
    assert registered == {*FEATURES, "demo"}


def test_portal_code_does_not_name_a_features_endpoint():
    """Asking whether `forums.group_threads` exists is depending on forums without importing it."""
    named = [f"{module} line {node.lineno}: {node.value!r}"
             for module, path in SOURCES.items() if _package(module) == "portal" and module != REGISTRATION
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and ENDPOINT_OF_A_FEATURE.match(node.value)]
    assert not named, named


@pytest.mark.parametrize("feature", FEATURES)
def test_a_feature_uses_portal_and_no_other_feature_but_the_allowed(feature):
    mine = [i for i in IMPORTS if _package(i.importer) == feature]
    assert any(_package(i.imported) == "portal" for i in mine)
    others = [i for i in mine if _package(i.imported) not in (feature, "portal")
              and (feature, _package(i.imported)) not in ALLOWED_BETWEEN_FEATURES]
    assert not others, _where(others)


def test_only_the_registration_point_imports_the_demo():
    users = [i for i in IMPORTS if _package(i.imported) == "demo" and _package(i.importer) != "demo"
             and i.importer != REGISTRATION]
    assert not users, _where(users)


def test_no_import_inside_a_function_but_the_factorys():
    """An import moved into a function to dodge a cycle hides the cycle instead of breaking it."""
    hidden = [i for i in IMPORTS if i.in_function and (i.importer, i.imported) not in FUNCTION_LEVEL]
    assert not hidden, _where(hidden)


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the modules along it, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for imported in sorted(edges.get(module, ())):
            if state.get(imported) == "open":
                return path[path.index(imported):] + [imported]
            if imported not in state and (found := visit(imported)):
                return found
        state[module] = "done"
        path.pop()
        return None

    for module in sorted(edges):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_module_level_import_cycle():
    edges: dict[str, set[str]] = {}
    for i in IMPORTS:
        if not i.in_function and i.imported != i.importer:
            edges.setdefault(i.importer, set()).add(i.imported)
    assert _cycle(edges) is None, " -> ".join(_cycle(edges))


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None


# Where isdigit() is not reading a number: a chart measures the width of digit glyphs.
ISDIGIT_NOT_PARSING = {"portal.governance.charts", "portal.numbers"}  # and the parser, saying why not


def test_forms_and_typed_numbers_each_have_one_home():
    """Every form is a portal.forms.Form (it reads form fields only, never a file part or JSON),
    every number box its WholeNumberField, and text becomes a number through portal.numbers."""
    for module, path in SOURCES.items():
        source = path.read_text(encoding="utf-8")
        if module != "portal.forms":
            assert "FlaskForm" not in source and "IntegerField" not in source, module
        if module not in ISDIGIT_NOT_PARSING:
            assert ".isdigit()" not in source, module

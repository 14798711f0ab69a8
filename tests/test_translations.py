"""Checks on the translation catalogues in translations/.

Plain file parsing with Babel, no Flask app: the .pot must match the source, every catalogue
must match the .pot, and the shipped languages must be complete and keep every placeholder.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"

# The same options as the Makefile's `messages` target.
SOURCES = ["portal", "forums", "proposals", "events", "templates"]
EXTRACT_OPTIONS = ["-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                   "--no-location", "--sort-output", "--project=Cortile"]

# Languages the portal ships: each must be complete. Expected "nplurals=N; plural=EXPR".
ARABIC_PLURAL = ("(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
                 "n%100>=11 ? 4 : 5)")
COMPLETE = {
    "it": (2, "(n != 1)"),
    "en": (2, "(n != 1)"),
    "es": (2, "(n != 1)"),
    "ar": (6, ARABIC_PLURAL),
}

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
FIX = "run `make messages` and translate the new strings"


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def catalogue_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def messages(catalog: Catalog) -> list[Message]:
    """Every real message, without the header entry."""
    return [message for message in catalog if message.id]


def ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in messages(catalog)}


def forms(message: Message) -> list[str]:
    """The msgstr, or every plural form of it, as a list."""
    if isinstance(message.string, (tuple, list)):
        return list(message.string)
    return [message.string]


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def describe(message: Message) -> str:
    return repr(message.id[0] if message.pluralizable else message.id)


ALL_LANGUAGES = sorted(path.parent.parent.name
                       for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


@pytest.fixture(scope="module")
def pot() -> Catalog:
    return load(POT)


def test_every_shipped_language_has_a_catalogue() -> None:
    assert set(COMPLETE) <= set(ALL_LANGUAGES), (
        f"missing catalogues for {sorted(set(COMPLETE) - set(ALL_LANGUAGES))}: "
        "create them with `pybabel init -i translations/messages.pot -d translations -l LANG`")


def test_pot_is_up_to_date_with_the_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pot: Catalog) -> None:
    extracted = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", *EXTRACT_OPTIONS, "-o", str(extracted), *SOURCES])
    fresh = ids(load(extracted))
    committed = ids(pot)
    new = sorted(map(str, fresh - committed))
    gone = sorted(map(str, committed - fresh))
    assert fresh == committed, (
        f"translations/messages.pot is out of date with the source: {FIX}.\n"
        f"New in the source: {new}\nNo longer in the source: {gone}")


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_catalogue_matches_pot(lang: str, pot: Catalog) -> None:
    catalog = load(catalogue_path(lang), locale=lang)
    missing = sorted(map(str, ids(pot) - ids(catalog)))
    extra = sorted(map(str, ids(catalog) - ids(pot)))
    obsolete = sorted(map(str, catalog.obsolete))
    assert not missing, f"{lang}: messages missing from the catalogue ({FIX}): {missing}"
    assert not extra, f"{lang}: messages not in the .pot ({FIX}): {extra}"
    assert not obsolete, f"{lang}: obsolete (#~) messages left in the catalogue, delete them: {obsolete}"


@pytest.mark.parametrize("lang", sorted(COMPLETE))
def test_header(lang: str) -> None:
    catalog = load(catalogue_path(lang), locale=lang)
    nplurals, expr = COMPLETE[lang]
    assert not catalog.fuzzy, f"{lang}: the header is marked fuzzy, so the catalogue would not compile"
    assert catalog.mime_headers and dict(catalog.mime_headers).get("Language") == lang
    plural_forms = dict(catalog.mime_headers)["Plural-Forms"]
    assert plural_forms == f"nplurals={nplurals}; plural={expr};", f"{lang}: wrong Plural-Forms"


@pytest.mark.parametrize("lang", sorted(COMPLETE))
def test_every_message_is_translated(lang: str) -> None:
    catalog = load(catalogue_path(lang), locale=lang)
    untranslated = []
    fuzzy = []
    wrong_count = []
    for message in messages(catalog):
        if message.fuzzy:
            fuzzy.append(describe(message))
        if message.pluralizable and len(forms(message)) != catalog.num_plurals:
            wrong_count.append(describe(message))
        if not all(form.strip() for form in forms(message)):
            untranslated.append(describe(message))
    assert not untranslated, f"{lang}: untranslated messages ({FIX}): {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy messages (check them, then remove the flag): {fuzzy}"
    assert not wrong_count, f"{lang}: plural messages without {catalog.num_plurals} forms: {wrong_count}"


def placeholder_problems(message: Message) -> list[str]:
    """What is wrong with the placeholders of each translated form of the message."""
    problems = []
    if message.pluralizable:
        singular, plural = placeholders(message.id[0]), placeholders(message.id[1])
        # A form may use any placeholder the code passes, and must keep those both msgids share.
        allowed, required = set(singular | plural), set(singular & plural)
        for index, form in enumerate(forms(message)):
            if not form:
                continue
            found = set(placeholders(form))
            if not (required <= found <= allowed):
                problems.append(f"{describe(message)}[{index}]: has {sorted(found)}, "
                                f"needs {sorted(required)}, may use {sorted(allowed)}")
    else:
        expected = placeholders(message.id)
        found = placeholders(message.string)
        if message.string and found != expected:
            problems.append(f"{describe(message)}: has {sorted(found.elements())}, "
                            f"needs exactly {sorted(expected.elements())}")
    return problems


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_placeholders_are_kept(lang: str) -> None:
    catalog = load(catalogue_path(lang), locale=lang)
    problems = [problem for message in messages(catalog) for problem in placeholder_problems(message)]
    assert not problems, f"{lang}: placeholders changed:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_python_format_strings_still_format(lang: str) -> None:
    """A stray % or a broken %(name) would raise at runtime, only in that language."""
    catalog = load(catalogue_path(lang), locale=lang)
    problems = []
    for message in messages(catalog):
        if not message.python_format:
            continue
        sources = message.id if message.pluralizable else [message.id]
        values = {name: 1 for source in sources for name in re.findall(r"%\((\w+)\)", source)}
        for form in forms(message):
            if not form:
                continue
            try:
                form % values
            except (KeyError, ValueError, TypeError) as error:
                problems.append(f"{describe(message)}: {form!r} ({error!r})")
    assert not problems, f"{lang}: translations that fail to format:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_line_breaks_are_kept(lang: str) -> None:
    catalog = load(catalogue_path(lang), locale=lang)
    problems = []
    for message in messages(catalog):
        source = message.id[-1] if message.pluralizable else message.id
        for form in forms(message):
            if form and form.count("\n") != source.count("\n"):
                problems.append(describe(message))
    assert not problems, f"{lang}: translations with a different number of line breaks: {problems}"

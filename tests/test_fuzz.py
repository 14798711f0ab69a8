"""Property-based fuzzing: malformed form posts to every POST route and malformed query strings
(and address parts) to every GET route, as anonymous, resident, facilitator and admin, with valid
CSRF tokens so the form logic runs. Nothing answers 5xx, and an answer of 4xx committed no write
(beyond the BOOKKEEPING below). Deterministic (derandomize, no example database), sized for CI:
1,100 examples, about a minute per engine on two busy cores. FUZZ_POSTS and FUZZ_GETS set other
counts for a deeper run by hand."""
from __future__ import annotations

import functools
import io
import os
import re
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from portal import db
from portal.extensions import limiter
from portal.forms import Form
from portal.governance.indicators import TARGETABLE
from portal.groups.models import MembershipRole
from portal.notifications import notify
from portal.notifications.models import Notification
from tests.fixtures.forums import opening_post
from tests.fixtures.web import CSRF_INPUT, text_of

ROLES = ("anonymous", "resident", "facilitator", "admin")
# They end the session that the next examples use.
SKIPPED = {"/logout", "/logout-everywhere", "/account/sessions/{session_id}/end"}
# Writes a refused request makes on purpose: a signed-in device's "last used" time.
BOOKKEEPING = {"device_sessions"}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)

MALFORMED = st.one_of(
    st.sampled_from([
        "²", "①", "١٢", "１２", "٦", "9" * 400, "-" + "9" * 30, "1e400", "NaN", "inf", "0", "-1", "2147483648",
        "", " ", "\x00", "a\x00b", "line\nbreak", "\r\n", "tab\there", "\u2028", "\x85", "x" * 5000,
        "\u202e\u200f", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd", "None",
        "on", "[]", "{}", "2030-02-30 18:00", "9999-12-31T23:59", "0001-01-01", "2,5,0", "-0,01",
    ]),
    st.text(max_size=30),
    st.integers().map(str),
)
# What a JSON body can hold where a form has text.
JSON_VALUES = st.none() | st.booleans() | st.integers() | st.floats() | st.lists(st.text(max_size=5), max_size=3) \
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)

# A believable value for every field, so that one malformed field meets forms that are otherwise
# right, and the services behind them run.
PLAUSIBLE = {
    "title": ["Laboratorio di cucina"], "body": ["Chi viene?"], "summary": ["Per i ragazzi del quartiere"],
    "description": ["Un campo nel parco"], "name": ["Tavolo compiti"], "about": ["Compiti insieme"],
    "nickname": ["Fuzzed", "Rosa"], "login": ["Fuzzed", "Rosa"], "password": ["another long password 42"],
    "confirm": ["another long password 42"], "current_password": ["not the password at all"],
    "email": ["fuzz@example.org"], "code": ["ABCD-EFGH"], "accept_terms": ["y"], "home_neighbourhood": ["", "1"],
    "neighbourhood": ["", "1"], "language": ["it", "ar"], "kind": ["workshop", "thematic_table", "meeting"],
    "visibility": ["", "public"], "join_policy": ["", "open"], "capacity": ["", "10"], "days": ["3"],
    "reason": ["spam", "Non rispetta le regole"], "message": ["Ciao"], "note": ["Ciao"],
    "starts_at": ["2030-03-14 18:00"], "ends_at": ["2030-03-14 20:00"], "place": ["Biblioteca"],
    "address": ["Via Odazio 9"], "accessibility": [""], "cost": ["", "2,50"], "adults": ["1"],
    "children": ["0"], "occurrences": ["4"], "repeat": ["", "weekly"], "group": [""], "theme": ["", "sport"],
    "state": [""], "order": ["random"], "municipio": ["", "6"], "q": [""], "search": ["Rosa"],
    "action": ["hide", "restore", "lock"], "answer": ["accept", "Sì, lo facciamo."],
    "decision": ["accepted"], "attendance": ["present"], "age": [""], "age_bands": ["3-6"],
    "languages": ["it"], "childcare": ["y"], "require_verified": [""], "support_days": ["30"],
    "threshold": ["20"], "date_from": [""], "date_to": [""], "next": ["/", "//evil.example"],
    "registration_opens": [""], "registration_closes": [""],
}
QUERY_KEYS = ["page", "period", "by", "group", "neighbourhood", "next", "kind", "q", "theme", "state",
              "municipio", "order", "date_from", "date_to", "search", "age", "language"]


@functools.cache
def _form_fields() -> list[str]:
    """Every field name any form of the portal reads, and the fields a view reads itself."""
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = {name for form in subclasses(Form) for name in dir(form)
             if isinstance(getattr(form, name, None), UnboundField)}
    return sorted(names - {"csrf_token"} | set(TARGETABLE) | {"next"})


def _routes(app, method: str) -> list[str]:
    """Every rule for `method` as a format string, one per choice of each any()."""
    routes = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint == "static":
            continue
        paths = [rule.rule]
        while any("<any(" in path for path in paths):
            expanded = []
            for path in paths:
                match = re.search(r"<any\(([^)]*)\):\w+>", path)
                if match is None:
                    expanded.append(path)
                    continue
                for choice in re.findall(r"[\w-]+", match[1]):
                    expanded.append(path[:match.start()] + choice + path[match.end():])
            paths = expanded
        routes += [re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", path) for path in paths]
    return sorted(set(routes) - SKIPPED)


@pytest.fixture
def committed_writes(app):
    """The tables each request's committed transactions wrote: `committed_writes` is a list that
    the test empties before a request and reads after it."""
    engine = app.extensions["db_engine"]  # the engine requests use, not the test's own
    committed: list[str] = []

    def before(conn, _cursor, statement, *_args):
        if (match := WRITE.match(statement)) is not None:
            conn.info.setdefault("fuzz_pending", []).append(match[1].lower())

    def begin(conn):
        conn.info["fuzz_pending"] = []

    def commit(conn):
        committed.extend(conn.info.pop("fuzz_pending", []))

    def rollback(conn):
        conn.info.pop("fuzz_pending", None)

    listeners = [("before_cursor_execute", before), ("begin", begin), ("commit", commit), ("rollback", rollback)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    yield committed
    for name, listener in listeners:
        event.remove(engine, name, listener)


class Visitor:
    """One role's browser: its CSRF token, fetched again when a success may have changed the session."""

    def __init__(self, client, role: str):
        self.client, self.role, self.token = client, role, None

    def refresh(self) -> None:
        if self.role == "anonymous":  # a successful /join or /login signed it in: a new browser
            self.client = self.client.application.test_client()
        page = self.client.get("/proposals/").get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        self.token = match.group(1) or match.group(2)

    def send(self, method: str, url: str, **kwargs):
        if self.token is None:
            self.refresh()
        if "json" in kwargs:  # as htmx would send it: the token in a header
            kwargs["headers"] = {**kwargs.get("headers", {}), "X-CSRFToken": self.token}
        elif method == "POST":
            kwargs["data"] = MultiDict([*kwargs["data"], ("csrf_token", self.token)])
        response = self.client.open(url, method=method, **kwargs)
        if method == "POST" and response.status_code < 400:
            self.token = None
        return response


@pytest.fixture
def world(monkeypatch, make_client, make_user, sign_in, add_member, public_group, facilitator, make_thread, make_event,
          enrol, make_proposal):
    """A resident, a facilitator and an admin around one public group, with a thread, an event,
    a registration, a proposal and a notification; each role's browser; a real id for every kind
    of address variable."""
    # Rate limits would answer most later examples with 429 before any form runs; they have their own tests.
    monkeypatch.setattr(limiter, "enabled", False)
    resident = make_user("Rosa")
    add_member(resident, public_group)
    admin = make_user("CityAdmin", role="admin", neighbourhood=None)
    add_member(admin, public_group, role=MembershipRole.FACILITATOR)
    thread = make_thread(public_group, resident)
    happening = make_event()
    with db.write_transaction():
        notify(resident.id, "invited", "/", nickname="Giulia", group=public_group.name)
    ids = {"user_id": resident.id, "thread_id": thread.id, "post_id": opening_post(thread).id,
           "event_id": happening.id, "registration_id": enrol(happening, resident).id,
           "proposal_id": make_proposal(resident).id, "number": 6, "key": 6,
           "notification_id": db.session.scalar(select(Notification.id)), "token": "not-a-real-token",
           "session_id": 1}
    visitors = {"anonymous": Visitor(make_client(), "anonymous")}
    for role, person in (("resident", resident), ("facilitator", facilitator), ("admin", admin)):
        visitors[role] = Visitor(sign_in(make_client(), person), role)
    application = visitors["admin"].client.application
    routes = {method: _routes(application, method) for method in ("GET", "POST")}
    yield visitors, ids, public_group.slug, routes
    # The fuzzing ran as each role to the end: no example signed a role out.
    for role in ("resident", "facilitator", "admin"):
        assert visitors[role].client.get("/account").status_code == 200, role


def _fill(route: str, ids: dict, group_slug: str, odd: str | None) -> str:
    """The route with real ids, or with `odd` in place of its last variable."""
    places = {"slug": "giambellino-lorenteggio" if route.startswith(("/neighbourhoods", "/proposals/settings"))
              else group_slug, "key": "giambellino-lorenteggio" if "/neighbourhood/" in route else ids["key"]}
    variables = re.findall(r"{(\w+)}", route)
    values = {name: str({**ids, **places}[name]) for name in variables}
    if odd is not None and variables:
        values[variables[-1]] = quote(odd, safe="")
    return route.format_map(values)


def fuzzing(examples: int) -> settings:
    return settings(max_examples=examples, derandomize=True, database=None, deadline=None, print_blob=False,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


def _check(response, committed, what) -> None:
    assert response.status_code < 500, (what, text_of(response)[:500])
    if 400 <= response.status_code < 500:
        assert set(committed) <= BOOKKEEPING, (what, response.status_code, committed)


@fuzzing(int(os.environ.get("FUZZ_POSTS", 650)))
@given(data=st.data())
def test_no_post_answers_5xx_nor_saves_on_4xx(world, committed_writes, data):
    visitors, ids, group_slug, routes = world
    fields = _form_fields()
    route = data.draw(st.sampled_from(routes["POST"]), "route")
    role = data.draw(st.sampled_from(ROLES), "role")
    form = {name: data.draw(st.sampled_from(PLAUSIBLE.get(name, ["1"]))) for name in fields}
    form.update(data.draw(st.dictionaries(st.sampled_from(fields), MALFORMED, max_size=4), "malformed"))
    for name in data.draw(st.sets(st.sampled_from(fields), max_size=3), "missing"):
        form.pop(name, None)
    duplicated = data.draw(st.dictionaries(st.sampled_from(fields), MALFORMED, max_size=2), "duplicated")
    as_files = data.draw(st.sets(st.sampled_from(fields), max_size=2), "file parts")
    encoding = "multipart" if as_files else data.draw(st.sampled_from(["form", "multipart", "json"]), "encoding")
    headers = {"HX-Request": "true"} if data.draw(st.booleans(), "htmx") else {}
    url = _fill(route, ids, group_slug, data.draw(st.none() | MALFORMED, "address part")
                if data.draw(st.integers(0, 9), "odd address") == 0 else None)
    if encoding == "json":
        body = {**form, **data.draw(st.dictionaries(st.sampled_from(fields), JSON_VALUES, max_size=3), "json")}
        sent = {"json": body}
    else:
        body = [(name, value) for name, value in form.items() if name not in as_files]
        body += list(duplicated.items())
        body += [(name, (io.BytesIO(str(form.get(name, "x")).encode()), "note.txt")) for name in as_files]
        sent = {"data": body, "content_type": "multipart/form-data" if encoding == "multipart" else None}
    committed_writes.clear()
    response = visitors[role].send("POST", url, headers=headers, **sent)
    _check(response, committed_writes, (role, "POST", url, encoding))


@fuzzing(int(os.environ.get("FUZZ_GETS", 450)))
@given(data=st.data())
def test_no_get_answers_5xx_nor_saves_on_4xx(world, committed_writes, data):
    visitors, ids, group_slug, routes = world
    route = data.draw(st.sampled_from(routes["GET"]), "route")
    role = data.draw(st.sampled_from(ROLES), "role")
    query = data.draw(st.lists(st.tuples(st.sampled_from(QUERY_KEYS + _form_fields()), MALFORMED), max_size=4)
                      | st.binary(max_size=20).map(quote_from_bytes), "query")  # the last: bytes, UTF-8 or not
    headers = {"HX-Request": "true"} if data.draw(st.booleans(), "htmx") else {}
    odd = data.draw(st.none() | MALFORMED, "address part") if data.draw(st.integers(0, 4)) == 0 else None
    url = _fill(route, ids, group_slug, odd)
    committed_writes.clear()
    response = visitors[role].send("GET", url, query_string=query, headers=headers)
    _check(response, committed_writes, (role, "GET", url, query))


def test_committed_writes_sees_what_a_request_saved_and_not_what_it_refused(world, committed_writes):
    visitors, ids, _slug, _routes = world
    reply = f"/forums/threads/{ids['thread_id']}/replies"
    response = visitors["resident"].send("POST", reply, data=[("body", "")])
    assert response.status_code == 422 and set(committed_writes) <= BOOKKEEPING
    response = visitors["resident"].send("POST", reply, data=[("body", "Io ci sono.")])
    assert response.status_code == 303 and "posts" in committed_writes

"""No input, however odd, gets a 500: every route answers junk with a 4xx (or its normal page)."""
import io
import re

import pytest
from sqlalchemy import func, select

from events.models import Event
from forums.models import Post, Thread
from portal import db, permissions
from portal.accounts.models import User
from portal.groups.models import Group
from portal.notifications import notify
from portal.notifications.models import Notification
from tests.fixtures.forums import opening_post
from tests.fixtures.web import text_of

JUNK_VALUES = ["", " ", "x" * 5000, "\u202e\u200f", "' OR 1=1 --", "<script>alert(1)</script>",
               "9" * 40, "-1", "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ", "%00", "../../etc/passwd"]
FIELDS = ["nickname", "password", "confirm", "email", "home_neighbourhood", "language",
          "accept_terms", "login", "code", "current_password", "next"]


def _routes(app, method):
    """Every route's rule with its variables as {name} fields (an any() takes its first choice)."""
    for rule in app.url_map.iter_rules():
        if method in rule.methods and rule.endpoint != "static":
            path = re.sub(r"<any\(\s*['\"]?([\w-]+)[^>]*>", r"\1", rule.rule)
            yield re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", path)


@pytest.fixture
def staff_client(client, make_user, sign_in, seeded_group, make_thread, make_event, enrol,
                 make_proposal):
    """An admin's client, and a real id for every kind of address: a person, a thread and its post,
    an event and a registration, a proposal, a notification; places by their seeded names."""
    admin = make_user("Admin", role="admin")
    sign_in(client, admin)
    target = make_user("Target")
    thread = make_thread(seeded_group("barona"), target)
    event = make_event()
    with db.write_transaction():
        notify(admin.id, "invited", "/", nickname="Giulia", group="Barona")
    ids = {"user_id": target.id, "thread_id": thread.id, "post_id": opening_post(thread).id,
           "event_id": event.id, "registration_id": enrol(event, target).id,
           "proposal_id": make_proposal(target).id, "number": 6, "slug": "barona",
           "token": "not-a-real-token",
           "notification_id": db.session.scalar(select(Notification.id))}
    return client, _AnyId(ids)


class _AnyId(dict):
    """Ids for str.format_map; a variable no fixture names gets 1 (and says so in the failure)."""

    def __missing__(self, key):
        return 1


@pytest.mark.parametrize("junk", JUNK_VALUES)
def test_every_post_route_survives_junk_in_every_field(staff_client, junk):
    client, ids = staff_client
    for route in _routes(client.application, "POST"):
        if route in ("/logout", "/logout-everywhere"):
            continue  # they would end the session the other routes need
        response = client.post(route.format_map(ids), data={field: junk for field in FIELDS})
        assert response.status_code < 500, (route, junk, text_of(response)[:300])


def test_nul_characters_are_refused_before_they_reach_the_database(client, city):
    response = client.post("/login", data={"login": "Bea\x00", "password": "x"})
    assert response.status_code == 400
    assert client.get("/neighbourhoods/bar%00ona").status_code in (400, 404)


@pytest.mark.parametrize("url", ["/municipi/99999999999999999999999", "/access-point/people/99999999999999999999",
                                 "/neighbourhoods/" + "x" * 3000, "/reset/email/" + "a" * 3000])
def test_absurd_addresses_get_a_4xx(staff_client, url):
    client, _ = staff_client
    assert 400 <= client.get(url).status_code < 500


def test_every_page_asks_the_permissions_module(staff_client, monkeypatch):
    client, ids = staff_client
    asked = []
    original = permissions.may

    def recording_may(action, subject=None, user=None):
        asked.append(action)
        return original(action, subject, user)

    monkeypatch.setattr(permissions, "may", recording_may)
    for route in _routes(client.application, "GET"):
        asked.clear()
        client.get(route.format_map(ids))
        assert asked, f"{route} answered without asking the permissions module"


# Digits that pass str.isdigit() or that int() reads, but that nobody types in a number box.
UNICODE_DIGITS = ["²", "①", "١٢", "１２", "٦"]


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_unicode_digits_in_a_query_are_ignored_on_every_page(staff_client, digits):
    client, ids = staff_client
    for route in _routes(client.application, "GET"):
        response = client.get(route.format_map(ids), query_string={"page": digits, "group": digits})
        assert response.status_code < 500, (route, digits, text_of(response)[:300])


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_a_page_number_in_other_digits_is_the_first_page(client, make_event, digits):
    make_event(title="Only one")
    response = client.get("/events/", query_string={"page": digits})
    assert response.status_code == 200 and "Only one" in text_of(response)


@pytest.mark.parametrize("url", ["/governance/municipio/%C2%B2", "/governance/municipio/%D9%A6",
                                 "/governance/municipio/%EF%BC%96", "/municipi/%D9%A6",
                                 "/governance/municipio/" + "6" * 400])
def test_a_municipio_spelled_in_other_digits_is_not_found(staff_client, url):
    client, _ = staff_client
    response = client.get(url)
    assert response.status_code == 404 and "Page not found" in text_of(response)


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_a_new_event_for_a_group_in_other_digits_offers_the_form(client, sign_in, facilitator, public_group,
                                                                  digits):
    sign_in(client, facilitator)
    response = client.get("/events/new", query_string={"group": digits})
    assert response.status_code == 200 and public_group.name in text_of(response)


def _file(text: str = "Bea"):
    return io.BytesIO(text.encode()), "note.txt"


def _rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("fields", [{"nickname": "Bea", "password": _file, "confirm": "a long password here"},
                                    {"nickname": _file, "password": "a long password here"}])
def test_a_file_where_registration_expects_text_is_refused_next_to_its_field(client, city, fields):
    data = {name: value() if callable(value) else value for name, value in fields.items()}
    users = _rows(User)
    response = client.post("/join", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Type this in the box: a file cannot go here." in text_of(response)
    assert _rows(User) == users


@pytest.mark.parametrize("route, fields", [
    ("/reset", {"nickname": "Bea", "code": _file, "password": "a long password here",
                "confirm": "a long password here"}),
    ("/login", {"login": _file, "password": "x"}),
])
def test_a_file_where_a_code_or_name_is_expected_is_refused(client, city, route, fields):
    data = {name: value() if callable(value) else value for name, value in fields.items()}
    response = client.post(route, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Type this in the box: a file cannot go here." in text_of(response)


def test_a_file_in_a_signed_in_persons_forms_is_refused_and_nothing_is_saved(
        client, make_user, sign_in, seeded_group, make_thread, add_member):
    bea = make_user("Bea")
    group = seeded_group("barona")
    add_member(bea, group)
    thread = make_thread(group, bea)
    sign_in(client, bea)
    before = (_rows(Post), _rows(Thread), bea.password_hash, bea.email)
    for route, data in [
        ("/account", {"email": _file(), "language": "en", "home_neighbourhood": ""}),
        ("/account/password", {"current_password": _file(), "password": "another long password",
                               "confirm": "another long password"}),
        (f"/forums/threads/{thread.id}/replies", {"body": _file()}),
        (f"/forums/groups/{group.slug}/threads", {"title": "A thread of mine", "body": _file()}),
    ]:
        response = client.post(route, data=data, content_type="multipart/form-data")
        assert response.status_code == 422, route
        assert "Type this in the box: a file cannot go here." in text_of(response), route
    bea = db.session.get(User, bea.id)
    assert (_rows(Post), _rows(Thread), bea.password_hash, bea.email) == before


@pytest.mark.parametrize("capacity, message", [
    ("9" * 400, "Use a number from 1 to 10000, or leave it empty for no limit."),
    ("9" * 19, "Use a number from 1 to 10000, or leave it empty for no limit."),
    ("9" * 18, "Use a number from 1 to 10000, or leave it empty for no limit."),
    ("²", "Enter a whole number, like 7."),
    ("١٢", "Enter a whole number, like 7."),
    ("99999999", "Use a number from 1 to"),
])
def test_a_group_capacity_far_too_big_gets_a_message_not_an_error(client, make_user, sign_in, capacity, message):
    sign_in(client, make_user("Admin", role="admin"))
    groups = _rows(Group)
    response = client.post("/groups/new", data={"name": "Tavolo compiti", "kind": "thematic_table",
                                                 "visibility": "", "join_policy": "", "capacity": capacity})
    assert response.status_code == 422 and message in text_of(response)
    assert _rows(Group) == groups


@pytest.mark.parametrize("capacity", ["9" * 400, "²", "١٢"])
def test_event_seats_far_too_big_or_in_other_digits_get_a_message(client, sign_in, facilitator, public_group,
                                                                   capacity):
    sign_in(client, facilitator)
    events = _rows(Event)
    response = client.post("/events/new", data={
        "group": public_group.id, "title": "Laboratorio", "kind": "workshop", "starts_at": "2030-03-14 18:00",
        "ends_at": "2030-03-14 20:00", "place": "Biblioteca", "capacity": capacity, "repeat": "",
        "occurrences": "4", "adults": "1"})
    assert response.status_code == 422
    assert ("Enter a number of seats from 1 to 10000" if capacity.isascii() else "Enter a number of seats, like 20") \
        in text_of(response)
    assert _rows(Event) == events


@pytest.mark.parametrize("field, value", [("title", "Laboratorio\ndi cucina"), ("place", "Biblioteca\r\nsala 2"),
                                          ("address", "Via Giambellino 1\u2028Milano")])
def test_an_event_line_with_a_line_break_is_refused(client, sign_in, facilitator, public_group, field, value):
    sign_in(client, facilitator)
    data = {"group": public_group.id, "title": "Laboratorio", "kind": "workshop", "starts_at": "2030-03-14 18:00",
            "ends_at": "2030-03-14 20:00", "place": "Biblioteca", "repeat": "", "occurrences": "4"}
    events = _rows(Event)
    response = client.post("/events/new", data={**data, field: value})
    assert response.status_code == 422
    assert "Write this on one line, without pressing Enter." in text_of(response)
    assert _rows(Event) == events


def test_titles_and_group_names_are_one_line(client, make_user, sign_in, seeded_group, add_member):
    admin = make_user("Admin", role="admin")
    add_member(admin, seeded_group("barona"))
    sign_in(client, admin)
    for route, data in [
        ("/groups/new", {"name": "Tavolo\ncompiti", "kind": "thematic_table", "visibility": "", "join_policy": ""}),
        ("/forums/groups/barona/threads", {"title": "Doposcuola\na settembre", "body": "Chi viene?"}),
        ("/proposals/new", {"title": "Un campo\nda calcio", "summary": "Per i ragazzi del quartiere",
                            "description": "Un campo nel parco", "theme": "sport"}),
    ]:
        response = client.post(route, data=data)
        assert response.status_code == 422, route
        assert "Write this on one line, without pressing Enter." in text_of(response), route

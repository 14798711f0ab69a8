"""No input, however odd, gets a 500: every route answers junk with a 4xx (or its normal page)."""
import re

import pytest
from sqlalchemy import select

from portal import db, permissions
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

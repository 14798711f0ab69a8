"""No input, however odd, gets a 500: every route answers junk with a 4xx (or its normal page)."""
import pytest

from portal import permissions
from tests.fixtures.web import text_of

JUNK_VALUES = ["", " ", "x" * 5000, "\u202e\u200f", "' OR 1=1 --", "<script>alert(1)</script>",
               "9" * 40, "-1", "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ", "%00", "../../etc/passwd"]
FIELDS = ["nickname", "password", "confirm", "email", "home_neighbourhood", "language",
          "accept_terms", "login", "code", "current_password", "next"]


def _routes(app, method):
    for rule in app.url_map.iter_rules():
        if method in rule.methods and rule.endpoint != "static":
            yield rule.rule.replace("<int:user_id>", "{id}").replace("<int:number>", "6") \
                .replace("<slug>", "barona").replace("<token>", "abc")


@pytest.fixture
def staff_client(client, make_user, sign_in):
    admin = make_user("Admin", role="admin")
    sign_in(client, admin)
    return client, make_user("Target")


@pytest.mark.parametrize("junk", JUNK_VALUES)
def test_every_post_route_survives_junk_in_every_field(staff_client, junk):
    client, target = staff_client
    for route in _routes(client.application, "POST"):
        if route in ("/logout", "/logout-everywhere"):
            continue  # they would end the session the other routes need
        response = client.post(route.format(id=target.id), data={field: junk for field in FIELDS})
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
    client, target = staff_client
    asked = []
    original = permissions.may

    def recording_may(action, subject=None, user=None):
        asked.append(action)
        return original(action, subject, user)

    monkeypatch.setattr(permissions, "may", recording_may)
    for route in _routes(client.application, "GET"):
        asked.clear()
        client.get(route.format(id=target.id))
        assert asked, f"{route} answered without asking the permissions module"

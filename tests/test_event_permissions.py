"""Who may do what with events: every event route, for every role, with valid data.

The tables below are the specification. Statuses: 200 page, 303 done (POST-redirect-GET),
302 sent to sign in (anonymous), 403 refused. The group is members-only unless the table says
public; the facilitator elsewhere facilitates Barona's group, the coordinator is Municipio 6's
(where the group is), the admin is the city's.
"""
from __future__ import annotations

import pytest
from flask import current_app
from flask_login import AnonymousUserMixin

from events import queries, service
from portal import db, permissions
from portal.groups.models import JoinPolicy, Visibility
from tests.fixtures.groups import ROLES
from tests.fixtures.events import (  # noqa: F401 - fixtures
    enrol,
    facilitator,
    make_event,
    public_group,
)

#                                                  anon non  memb mute ban  far  faci coor admin
MEMBERS_ONLY = {
    "GET /events/":                                (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /events/new":                             (302, 403, 403, 403, 403, 200, 200, 200, 200),
    "POST /events/new":                            (302, 403, 403, 403, 403, 403, 303, 303, 303),
    "GET /events/<id>":                            (302, 403, 200, 200, 403, 403, 200, 200, 200),
    "GET /events/<id>.ics":                        (302, 403, 200, 200, 403, 403, 200, 200, 200),
    "POST /events/<id>/register":                  (302, 403, 303, 303, 403, 403, 303, 303, 303),
    "POST /events/registrations/<reg>/cancel":     (302, 403, 403, 403, 403, 403, 303, 303, 303),
    "GET /events/<id>/edit":                       (302, 403, 403, 403, 403, 403, 200, 200, 200),
    "POST /events/<id>/edit":                      (302, 403, 403, 403, 403, 403, 303, 303, 303),
    "GET /events/<id>/cancel":                     (302, 403, 403, 403, 403, 403, 200, 200, 200),
    "POST /events/<id>/cancel":                    (302, 403, 403, 403, 403, 403, 303, 303, 303),
    "GET /events/<id>/attendance":                 (302, 403, 403, 403, 403, 403, 200, 200, 200),
    "POST /events/<id>/check-in":                  (302, 403, 403, 403, 403, 403, 303, 303, 303),
    "POST /events/<id>/attendance/<reg>":          (302, 403, 403, 403, 403, 403, 303, 303, 303),
    "GET /events/<id>/attendance.csv":             (302, 403, 403, 403, 403, 403, 200, 200, 200),
    "GET /events/calendar":                        (302, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /events/calendar":                       (302, 303, 303, 303, 303, 303, 303, 303, 303),
    "POST /events/calendar/revoke":                (302, 303, 303, 303, 303, 303, 303, 303, 303),
    "GET /events/calendar/<token>.ics":            (200, 200, 200, 200, 200, 200, 200, 200, 200),
}
# A public group's events: everyone sees them, everyone signed in and not banned may register.
PUBLIC = {
    "GET /events/<id>":                            (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /events/<id>.ics":                        (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /events/<id>/register":                  (302, 303, 303, 303, 403, 303, 303, 303, 303),
    "POST /events/registrations/<reg>/cancel":     (302, 403, 403, 403, 403, 403, 303, 303, 303),
    "GET /events/<id>/attendance":                 (302, 403, 403, 403, 403, 403, 200, 200, 200),
}
# Whether the members-only group's event appears in the list (the SQL twin of event.view).
LISTED_MEMBERS_ONLY = (False, False, True, True, False, False, True, True, True)


def _event_form(group) -> dict:
    return {"group": str(group.id), "title": "Cucina insieme", "kind": "meeting",
            "starts_at": "2099-07-01T18:00", "ends_at": "2099-07-01T20:00", "place": "Casa di quartiere",
            "capacity": "20", "languages": ["it"], "occurrences": "4"}


@pytest.fixture
def scene(make_group, cast, make_user, add_member, make_event, enrol):
    """Builds the group and its cast; `prepare(route)` makes fresh state for one request."""
    def build(visibility: Visibility):
        group = make_group("Mamme in rete", visibility=visibility, join_policy=JoinPolicy.APPROVAL)
        people = cast(group)
        owner = make_user("Owner")
        add_member(owner, group)

        def prepare(route: str) -> tuple[str, dict]:
            event = make_event(group, capacity=10)
            registration = enrol(event, owner)
            with current_app.test_request_context():
                with db.write_transaction():
                    token = service.new_calendar_token(owner)
            url = (route.split(" ", 1)[1].replace("<id>", str(event.id)).replace("<reg>", str(registration.id))
                   .replace("<token>", token))
            data = {
                "POST /events/new": _event_form(group),
                "POST /events/<id>/edit": _event_form(group),
                "POST /events/<id>/register": {"adults": "1", "children": "0"},
                "POST /events/<id>/cancel": {"reason": "The room is not available."},
                "POST /events/<id>/check-in": {"search": registration.code},
                "POST /events/<id>/attendance/<reg>": {"attendance": "present"},
            }.get(route, {})
            return url, data
        return people, prepare
    return build


def _statuses(scene, as_role, visibility: Visibility, route: str) -> tuple[int, ...]:
    people, prepare = scene(visibility)
    seen = []
    for role in ROLES:
        url, data = prepare(route)
        client = as_role(people[role])
        response = client.post(url, data=data) if route.startswith("POST") else client.get(url)
        seen.append(response.status_code)
    return tuple(seen)


@pytest.mark.parametrize("route", MEMBERS_ONLY)
def test_members_only_group_event_routes(scene, as_role, route):
    expected = dict(zip(ROLES, MEMBERS_ONLY[route]))
    assert dict(zip(ROLES, _statuses(scene, as_role, Visibility.MEMBERS, route))) == expected


@pytest.mark.parametrize("route", PUBLIC)
def test_public_group_event_routes(scene, as_role, route):
    expected = dict(zip(ROLES, PUBLIC[route]))
    assert dict(zip(ROLES, _statuses(scene, as_role, Visibility.PUBLIC, route))) == expected


def test_the_list_shows_an_event_to_exactly_those_who_may_view_it(scene, as_role):
    people, prepare = scene(Visibility.MEMBERS)
    url, _data = prepare("GET /events/<id>")
    event = queries.event_or_404(int(url.rsplit("/", 1)[1]))
    for role, expected in zip(ROLES, LISTED_MEMBERS_ONLY):
        page = as_role(people[role]).get("/events/").get_data(as_text=True)
        assert (f'href="{url}"' in page) is expected, role
        assert permissions.may("event.view", event, user=people[role] or AnonymousUserMixin()) is expected, role


def test_every_event_route_is_in_the_table(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("events."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                path = rule.rule.replace("<int:event_id>", "<id>").replace("<int:registration_id>", "<reg>")
                routes.add(f"{method} {path}")
    assert routes == set(MEMBERS_ONLY)

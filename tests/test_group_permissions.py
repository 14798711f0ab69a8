"""Who may use each group route: every route, GET and POST with valid data, for every role.

Allowed: 200 for a page, 303 after a POST. Refused: anonymous people are sent to sign in (302),
everyone else gets 403.
"""
import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from portal import db, permissions
from portal.groups.models import MEMBER_STATUSES, Group, GroupKind, JoinPolicy, MembershipStatus, Visibility
from tests.fixtures.groups import ROLES

MANAGERS = {"facilitator", "coordinator", "admin"}
WITHOUT_A_ROW = {"non_member", "facilitator_elsewhere", "coordinator", "admin"}
HOLDING_A_PLACE = {"member", "muted", "facilitator"}
OPEN = {"join_policy": JoinPolicy.OPEN, "visibility": Visibility.PUBLIC}


def _nobody(_group, _people, _make_user, _add_member):
    return {}


def _the_outsider_is(status):
    def setup(group, people, _make_user, add_member):
        add_member(people["non_member"], group, status)
        return {}
    return setup


def _target(status):
    """Someone else in the group, in `status`, for the managers to act on."""
    def setup(group, _people, make_user, add_member):
        target = make_user("Target")
        add_member(target, group, status)
        return {"user_id": target.id}
    return setup


def _invitee(_group, _people, make_user, _add_member):
    make_user("Invitee")
    return {}


NEW_GROUP = {"name": "Nuovo gruppo", "about": "", "kind": "mutual_aid", "visibility": "", "join_policy": "",
             "capacity": "5"}
NEW_TABLE = {**NEW_GROUP, "kind": "thematic_table"}
IN_GIAMBELLINO = "/groups/new?neighbourhood=giambellino-lorenteggio"

# route name: (method, address, form data, group settings, set-up, roles allowed)
ROUTES = {
    "page": ("GET", "/groups/{slug}", {}, {}, _nobody, set(ROLES)),
    "page_open": ("GET", "/groups/{slug}", {}, OPEN, _nobody, set(ROLES)),
    "join": ("POST", "/groups/{slug}/join", {}, OPEN, _nobody, WITHOUT_A_ROW),
    "request": ("POST", "/groups/{slug}/request", {"message": "Hello"}, {}, _nobody, WITHOUT_A_ROW),
    "leave": ("POST", "/groups/{slug}/leave", {}, {}, _nobody, HOLDING_A_PLACE),
    "invitation_accept": ("POST", "/groups/{slug}/invitation/accept", {}, {},
                          _the_outsider_is(MembershipStatus.INVITED), {"non_member"}),
    "invitation_decline": ("POST", "/groups/{slug}/invitation/decline", {}, {},
                           _the_outsider_is(MembershipStatus.INVITED), {"non_member"}),
    "offer_accept": ("POST", "/groups/{slug}/offer/accept", {}, {},
                     _the_outsider_is(MembershipStatus.OFFERED), {"non_member"}),
    "offer_decline": ("POST", "/groups/{slug}/offer/decline", {}, {},
                      _the_outsider_is(MembershipStatus.OFFERED), {"non_member"}),
    "members": ("GET", "/groups/{slug}/members", {}, {}, _nobody, MANAGERS),
    "invite": ("POST", "/groups/{slug}/invite", {"nickname": "Invitee"}, {}, _invitee, MANAGERS),
    "member": ("GET", "/groups/{slug}/members/{user_id}", {}, {}, _target(MembershipStatus.ACTIVE), MANAGERS),
    "approve": ("POST", "/groups/{slug}/members/{user_id}/approve", {}, {},
                _target(MembershipStatus.PENDING), MANAGERS),
    "decline": ("POST", "/groups/{slug}/members/{user_id}/decline", {}, {},
                _target(MembershipStatus.PENDING), MANAGERS),
    "mute": ("POST", "/groups/{slug}/members/{user_id}/mute", {"days": "3", "reason": "Insults"}, {},
             _target(MembershipStatus.ACTIVE), MANAGERS),
    "unmute": ("POST", "/groups/{slug}/members/{user_id}/unmute", {}, {},
               _target(MembershipStatus.MUTED), MANAGERS),
    "ban": ("POST", "/groups/{slug}/members/{user_id}/ban", {"reason": "Threats"}, {},
            _target(MembershipStatus.ACTIVE), MANAGERS),
    "unban": ("POST", "/groups/{slug}/members/{user_id}/unban", {}, {},
              _target(MembershipStatus.BANNED), MANAGERS),
    # Facilitators give password codes at access points: only someone above them makes one.
    "facilitator": ("POST", "/groups/{slug}/members/{user_id}/facilitator", {}, {},
                    _target(MembershipStatus.ACTIVE), {"coordinator", "admin"}),
    "new_in_neighbourhood": ("GET", IN_GIAMBELLINO, {}, {}, _nobody, MANAGERS),
    "create_in_neighbourhood": ("POST", IN_GIAMBELLINO, NEW_GROUP, {}, _nobody, MANAGERS),
    "new_city_wide": ("GET", "/groups/new", {}, {}, _nobody, {"admin"}),
    "create_city_wide": ("POST", "/groups/new", NEW_TABLE, {}, _nobody, {"admin"}),
}


def expected_status(method: str, role: str, allowed: set[str]) -> int:
    if role in allowed:
        return 200 if method == "GET" else 303
    return 302 if role == "anonymous" else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES)
def test_permission_matrix(route, role, make_group, cast, as_role, make_user, add_member):
    method, address, data, settings, setup, allowed = ROUTES[route]
    group = make_group("Mamme in rete", kind=GroupKind.MUTUAL_AID, **settings)
    people = cast(group)
    url = address.format(slug=group.slug, **setup(group, people, make_user, add_member))
    client = as_role(people[role])
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    assert response.status_code == expected_status(method, role, allowed), response.get_data(as_text=True)[:500]
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")


def test_the_matrix_covers_every_group_route(app):
    covered = {(method, address.split("?")[0].replace("{slug}", "<slug>").replace("{user_id}", "<int:user_id>"))
               for method, address, *_ in ROUTES.values()}
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("groups.")
              for method in rule.methods & {"GET", "POST"}}
    assert routes == covered


# --- the SQL twins of the rules, which every list uses -----------------------------------------

@pytest.fixture
def groups_of_every_kind(make_group, cast, make_user, add_member):
    """The cast around a members-only group in Municipio 6, and groups of every other kind: public,
    members-only elsewhere in the Municipio and in another one, city-wide, and one where the
    non-member is still only asking, invited or offered a place (none of which reads yet)."""
    home = make_group("Mamme in rete")
    people = cast(home)
    waiting = make_group("Papà del Lorenteggio")
    for status in (MembershipStatus.PENDING, MembershipStatus.INVITED, MembershipStatus.OFFERED):
        add_member(make_user(f"Someone {status}"), waiting, status)
    add_member(people["non_member"], waiting, MembershipStatus.PENDING)
    make_group("Cortile aperto", visibility=Visibility.PUBLIC)
    make_group("Tavolo Barona", neighbourhood="barona")
    make_group("Niguarda insieme", neighbourhood="niguarda")
    make_group("Tavolo cittadino", neighbourhood=None)
    make_group("Tavolo cittadino aperto", neighbourhood=None, visibility=Visibility.PUBLIC)
    return people, db.session.scalars(select(Group)).all()


@pytest.mark.parametrize("role", ROLES)
def test_lists_read_exactly_the_groups_the_rule_lets_each_role_view(role, groups_of_every_kind):
    people, groups = groups_of_every_kind
    user = people[role] or AnonymousUserMixin()
    listed = set(db.session.scalars(select(Group.slug).where(permissions.readable_groups_condition(user))))
    for action in ("group.view", "forum.read"):
        assert listed == {group.slug for group in groups if permissions.may(action, group, user=user)}
    members_of = set(db.session.scalars(select(Group.slug).where(permissions.member_groups_condition(user))))
    assert members_of == {group.slug for group in groups
                          if (row := permissions.membership(user, group)) and row.status in MEMBER_STATUSES}

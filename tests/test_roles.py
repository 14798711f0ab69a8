"""Roles are granted and revoked from the command line, each change audited, and the permissions
module answers for every role."""
import pytest
from sqlalchemy import select

from portal import db, permissions
from portal.accounts.models import RoleGrant
from portal.audit import AuditEntry
from portal.groups.models import Membership, MembershipRole


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(args=["roles", *args])
        db.session.rollback()
        db.session.expire_all()
        return result
    return run


def _audit():
    return db.session.execute(select(AuditEntry.action, AuditEntry.details).order_by(AuditEntry.id)).all()


def test_grant_and_revoke_admin(cli, make_user):
    bea = make_user("Bea")
    assert cli("grant", "bea", "admin").exit_code == 0
    assert permissions.standing(bea).is_admin
    listing = cli("list")
    assert "Bea\tadmin\tcity" in listing.output
    assert cli("revoke", "Bea", "admin").exit_code == 0
    permissions.forget_standing()
    assert not permissions.standing(bea).is_admin
    assert [action for action, _ in _audit()] == ["role.grant", "role.revoke"]


def test_grant_coordinator_needs_a_municipio(cli, make_user):
    make_user("Carla")
    missing = cli("grant", "Carla", "coordinator")
    assert missing.exit_code != 0 and "--municipio" in missing.output
    unknown = cli("grant", "Carla", "coordinator", "--municipio", "12")
    assert unknown.exit_code != 0
    assert cli("grant", "Carla", "coordinator", "--municipio", "6").exit_code == 0
    assert cli("grant", "Carla", "coordinator", "--municipio", "6").exit_code == 0  # idempotent
    assert db.session.scalar(select(RoleGrant.id).where(RoleGrant.role == "coordinator")) is not None
    assert len(db.session.scalars(select(RoleGrant)).all()) == 1
    assert _audit()[0].details == {"role": "coordinator", "municipio": 6}


def test_grant_facilitator_of_a_group(cli, make_user):
    make_user("Giulia")
    assert cli("grant", "Giulia", "facilitator", "--group", "nowhere").exit_code != 0
    assert cli("grant", "Giulia", "facilitator", "--group", "barona").exit_code == 0
    membership = db.session.scalar(select(Membership))
    assert membership.role == MembershipRole.FACILITATOR and membership.group.slug == "barona"
    assert cli("revoke", "Giulia", "facilitator", "--group", "barona").exit_code == 0
    assert db.session.scalar(select(Membership.role)) == MembershipRole.MEMBER
    nothing = cli("revoke", "Giulia", "facilitator", "--group", "barona")
    assert "did not hold" in nothing.output
    assert [action for action, _ in _audit()] == ["role.grant", "role.revoke"]


def test_unknown_people_and_roles_are_refused(cli, city):
    assert "Nobody has the nickname" in cli("grant", "ghost", "admin").output
    assert cli("grant", "ghost", "king").exit_code == 2


ROLES = ["anonymous", "resident", "facilitator_elsewhere", "facilitator", "coordinator",
         "coordinator_elsewhere", "admin"]


@pytest.fixture
def people(make_user):
    from flask_login import AnonymousUserMixin

    return {
        "anonymous": AnonymousUserMixin(),
        "resident": make_user("Resident"),
        "facilitator_elsewhere": make_user("FarFac", neighbourhood="barona", role="facilitator",
                                           group="barona"),
        "facilitator": make_user("NearFac", role="facilitator", group="giambellino-lorenteggio"),
        "coordinator": make_user("Coord6", role="coordinator", municipio=6),
        "coordinator_elsewhere": make_user("Coord1", role="coordinator", municipio=1),
        "admin": make_user("Admin1", role="admin", neighbourhood=None),
    }


# Rules with their own matrices elsewhere (governance: tests/test_governance_permissions.py).
GROUP_RULE_PREFIXES = {"group", "forum", "thread", "post", "moderation", "event", "registration",
                       "calendar", "proposal", "neighbourhood", "governance", "open_data"}

# Who may do what to a resident of Giambellino Lorenteggio (Municipio 6).
EXPECTED = {
    "place.view": set(ROLES),
    "feature.index": set(ROLES),
    "account.sign_in": set(ROLES),
    "account.recover": set(ROLES),
    "account.confirm_email": set(ROLES),
    "language.choose": set(ROLES),
    "account.register": {"anonymous"},
    "account.manage": set(ROLES) - {"anonymous"},
    "notifications.view": set(ROLES) - {"anonymous"},
    "access_point.use": {"facilitator_elsewhere", "facilitator", "coordinator", "coordinator_elsewhere",
                         "admin"},
    "person.issue_reset_code": {"facilitator", "coordinator", "admin"},
    "person.verify_in_person": {"facilitator", "coordinator", "admin"},
    "person.correct_home": {"facilitator", "coordinator", "admin"},
    "person.export_data": {"facilitator", "coordinator", "admin"},
    "person.erase": {"facilitator", "coordinator", "admin"},
}


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_permission_matrix(people, make_user, action):
    target = make_user("Target")
    allowed = {role for role in ROLES if permissions.may(action, target, user=people[role])}
    assert allowed == EXPECTED[action]
    # Group and forum rules have their own matrices, around a group (tests/test_*_permissions.py).
    account_rules = {a for a in permissions.RULES if not a.split(".")[0] in GROUP_RULE_PREFIXES}
    assert account_rules == set(EXPECTED), "every account and place rule has a row in this matrix"


def test_nobody_acts_on_their_own_account_at_the_access_point(people):
    admin = people["admin"]
    assert not permissions.may("person.issue_reset_code", admin, user=admin)


# --- who helps whom at an access point -----------------------------------------------------------
# A password code takes an account over, so each kind of person is helped only by someone who
# already holds every power their account has. Staff roles as in ROLES; targets by kind.

STAFF = ["facilitator_elsewhere", "facilitator", "coordinator", "coordinator_elsewhere", "admin"]


@pytest.fixture
def targets(make_user, add_member, seeded_group):
    def facilitator_of(nickname, *slugs, **kwargs):
        person = make_user(nickname, **kwargs)
        for slug in slugs:
            add_member(person, seeded_group(slug), role=MembershipRole.FACILITATOR)
        return person

    return {
        "resident": make_user("Resident2"),  # Giambellino Lorenteggio, Municipio 6
        "resident_elsewhere": make_user("Loretana", neighbourhood="loreto"),  # Municipio 2
        "no_neighbourhood": make_user("Drifter", neighbourhood=None),
        "facilitator": facilitator_of("Fac6", "giambellino-lorenteggio"),
        "facilitator_in_two_municipi": facilitator_of("Fac62", "giambellino-lorenteggio", "loreto"),
        "facilitator_city_wide": facilitator_of("FacTable", "tavolo-doposcuola"),
        "coordinator": make_user("Coord6b", role="coordinator", municipio=6, neighbourhood=None),
        "coordinator_at_home": make_user("Coord6c", role="coordinator", municipio=6),
        "admin": make_user("Admin2", role="admin", neighbourhood=None),
    }


WHO_HELPS = {
    "resident": {"facilitator", "coordinator", "admin"},
    "resident_elsewhere": {"admin"},
    # Nobody's neighbour: not every facilitator of the city, only coordinators and admins.
    "no_neighbourhood": {"coordinator", "coordinator_elsewhere", "admin"},
    "facilitator": {"coordinator", "admin"},
    "facilitator_in_two_municipi": {"admin"},  # Municipio 6's coordinator is not above them in 2
    "facilitator_city_wide": {"admin"},
    "coordinator": {"admin"},
    "coordinator_at_home": {"admin"},
    "admin": {"admin"},
}


@pytest.mark.parametrize("action", ["person.issue_reset_code", "person.verify_in_person"])
@pytest.mark.parametrize("kind", sorted(WHO_HELPS))
def test_who_may_help_whom_at_an_access_point(people, targets, action, kind):
    allowed = {role for role in ROLES if permissions.may(action, targets[kind], user=people[role])}
    assert allowed == WHO_HELPS[kind]


def test_the_matrix_has_every_staff_role(people):
    assert {role for role in ROLES if permissions.standing(people[role]).is_staff} == set(STAFF)

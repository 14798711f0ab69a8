"""The one place that answers "may this person do this to that?". Every view asks here.

Roles: everyone may read public pages; a signed-in resident manages their own account; a facilitator
acts inside the groups they facilitate and at access points for people of those neighbourhoods; a
coordinator acts across their Municipio; an admin across the city.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from portal import db
from portal.accounts.models import Role, RoleGrant, User
from portal.groups.models import Group, Membership, MembershipRole, MembershipStatus


@dataclass(frozen=True)
class Standing:
    """What one signed-in person is, loaded once per request (two small queries)."""

    is_admin: bool
    coordinated_municipio_ids: frozenset[int]
    facilitated_group_ids: frozenset[int]
    facilitated_neighbourhood_ids: frozenset[int]

    @property
    def is_facilitator(self) -> bool:
        return bool(self.facilitated_group_ids)


NOBODY = Standing(False, frozenset(), frozenset(), frozenset())


def standing(user) -> Standing:
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    cache = g.setdefault("permission_standing", {})
    if user.id not in cache:
        cache[user.id] = _load_standing(user.id)
    return cache[user.id]


def _load_standing(user_id: int) -> Standing:
    grants = db.session.execute(
        select(RoleGrant.role, RoleGrant.municipio_id).where(RoleGrant.user_id == user_id)
    ).all()
    facilitated = db.session.execute(
        select(Group.id, Group.neighbourhood_id)
        .join(Membership, Membership.group_id == Group.id)
        .where(
            Membership.user_id == user_id,
            Membership.role == MembershipRole.FACILITATOR,
            Membership.status == MembershipStatus.ACTIVE,
        )
    ).all()
    return Standing(
        is_admin=any(role == Role.ADMIN for role, _ in grants),
        coordinated_municipio_ids=frozenset(m for role, m in grants if role == Role.COORDINATOR),
        facilitated_group_ids=frozenset(group_id for group_id, _ in facilitated),
        facilitated_neighbourhood_ids=frozenset(n for _, n in facilitated if n is not None),
    )


def forget_standing() -> None:
    """Call after changing someone's roles within a request."""
    g.pop("permission_standing", None)


# --- rules -------------------------------------------------------------------------------------

def _anyone(_user, _subject=None) -> bool:
    return True


def _signed_in(user, _subject=None) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _staff(user, _subject=None) -> bool:
    """Facilitators, coordinators and admins: people who serve at access points."""
    s = standing(user)
    return s.is_admin or bool(s.coordinated_municipio_ids) or s.is_facilitator


def _acts_for_person(user, person: User) -> bool:
    """May act at an access point for `person`: reset a password, confirm them in person.

    Scoped to the person's home neighbourhood so that one facilitator cannot take over accounts
    across the city; people without a home neighbourhood can be helped by any facilitator.
    """
    if not _signed_in(user) or person.id == user.id or person.erased_at is not None:
        return False
    s = standing(user)
    if s.is_admin:
        return True
    home = person.home_neighbourhood
    if home is None:
        return s.is_facilitator or bool(s.coordinated_municipio_ids)
    return home.id in s.facilitated_neighbourhood_ids or home.municipio_id in s.coordinated_municipio_ids


RULES: dict[str, Callable[..., bool]] = {
    "place.view": _anyone,
    "feature.index": _anyone,
    "account.sign_in": _anyone,
    "account.recover": _anyone,  # password resets: by code or by email link
    "language.choose": _anyone,
    "account.register": lambda user, _s=None: not _signed_in(user),
    "account.manage": _signed_in,
    "access_point.use": _staff,
    "person.issue_reset_code": _acts_for_person,
    "person.verify_in_person": _acts_for_person,
}


def may(action: str, subject=None, user=None) -> bool:
    rule = RULES[action]  # a KeyError here is a programming error: every action has a rule
    return rule(current_user if user is None else user, subject)


def require(action: str, subject=None) -> None:
    """Abort with 401 (signed out: the login manager sends them to sign in) or 403."""
    if may(action, subject):
        return
    if not _signed_in(current_user):
        abort(401)
    abort(403)

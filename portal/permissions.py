"""The one place that answers "may this person do this to that?". Every view asks here.

Roles: everyone may read public pages; a signed-in resident manages their own account and takes
part in the groups they belong to; a facilitator manages the groups they facilitate and serves at
access points for people of those neighbourhoods; a coordinator does both across their Municipio;
an admin across the city. Muted members read but do not write; banned people do neither in that group.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, g
from flask_login import current_user
from sqlalchemy import exists, false, or_, select

from portal import db
from portal.accounts.models import Role, RoleGrant, User
from portal.groups.models import (
    MEMBER_STATUSES,
    Group,
    JoinPolicy,
    Membership,
    MembershipRole,
    MembershipStatus,
    Visibility,
)
from portal.places.models import Municipio, Neighbourhood
from portal.timeutil import utcnow

# Authors may correct a post for this long; earlier versions stay visible to facilitators.
EDIT_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Standing:
    """What one signed-in person is, loaded once per request (two small queries)."""

    is_admin: bool
    coordinated_municipio_ids: frozenset[int]
    facilitated_group_ids: frozenset[int]
    facilitated_neighbourhood_ids: frozenset[int]
    # The Municipi of the groups they facilitate; None among them for a city-wide group.
    facilitated_municipio_ids: frozenset[int | None]

    @property
    def is_facilitator(self) -> bool:
        return bool(self.facilitated_group_ids)

    @property
    def is_staff(self) -> bool:
        """Serves at access points: facilitator, coordinator or admin."""
        return self.is_admin or bool(self.coordinated_municipio_ids) or self.is_facilitator


NOBODY = Standing(False, frozenset(), frozenset(), frozenset(), frozenset())


def standing(user) -> Standing:
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    cache = g.setdefault("permission_standing", {})
    if user.id not in cache:
        cache[user.id] = _load_standing(user.id)
    return cache[user.id]


# A facilitator: an active membership with the facilitator role (a muted or banned one is not).
_FACILITATING = (Membership.role == MembershipRole.FACILITATOR, Membership.status == MembershipStatus.ACTIVE)


def _load_standing(user_id: int) -> Standing:
    grants = db.session.execute(
        select(RoleGrant.role, RoleGrant.municipio_id).where(RoleGrant.user_id == user_id)
    ).all()
    facilitated = db.session.execute(
        select(Group.id, Group.neighbourhood_id, Neighbourhood.municipio_id)
        .join(Membership, Membership.group_id == Group.id)
        .outerjoin(Neighbourhood, Neighbourhood.id == Group.neighbourhood_id)
        .where(Membership.user_id == user_id, *_FACILITATING)
    ).all()
    return Standing(
        is_admin=any(role == Role.ADMIN for role, _ in grants),
        coordinated_municipio_ids=frozenset(m for role, m in grants if role == Role.COORDINATOR),
        facilitated_group_ids=frozenset(group_id for group_id, _, _ in facilitated),
        facilitated_neighbourhood_ids=frozenset(n for _, n, _ in facilitated if n is not None),
        facilitated_municipio_ids=frozenset(m for _, _, m in facilitated),
    )


def facilitator_ids(*group_conditions) -> list[int]:
    """The people who facilitate a group meeting `group_conditions`, as `standing` counts them:
    those told of what needs them (requests, reports, registrations, proposals to review).
    Coordinators and admins also manage, but across a Municipio or the city: they are not told of
    each one."""
    return list(db.session.scalars(
        select(Membership.user_id).distinct().join(Group, Group.id == Membership.group_id)
        .where(*_FACILITATING, *group_conditions).order_by(Membership.user_id)))


def forget_standing() -> None:
    """Call after changing someone's roles or memberships within a request."""
    g.pop("permission_standing", None)
    g.pop("permission_memberships", None)


def membership(user, group: Group) -> Membership | None:
    """The person's membership row in `group` (any status), loaded once per request and group."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("permission_memberships", {})
    key = (user.id, group.id)
    if key not in cache:
        # populate_existing: the row as the database has it now, not a copy the session loaded
        # earlier (after `forget_standing`, services get the membership as it is under their lock).
        cache[key] = db.session.scalar(
            select(Membership).where(Membership.user_id == user.id, Membership.group_id == group.id)
            .execution_options(populate_existing=True))
    return cache[key]


def _manages(user, group: Group) -> bool:
    """Facilitators of the group, coordinators of its Municipio, admins."""
    s = standing(user)
    if s.is_admin or group.id in s.facilitated_group_ids:
        return True
    neighbourhood = group.neighbourhood
    return neighbourhood is not None and neighbourhood.municipio_id in s.coordinated_municipio_ids


def _is_member(user, group: Group) -> bool:
    row = membership(user, group)
    return row is not None and row.status in MEMBER_STATUSES


def _can_write(user, group: Group) -> bool:
    """An active member not muted right now; managers always (they moderate by writing too)."""
    if _manages(user, group):
        return True
    row = membership(user, group)
    if row is None or row.status not in MEMBER_STATUSES:
        return False
    return not row.is_muted(utcnow())


# --- rules -------------------------------------------------------------------------------------

def _anyone(_user, _subject=None) -> bool:
    return True


def _signed_in(user, _subject=None) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _staff(user, _subject=None) -> bool:
    """Facilitators, coordinators and admins: people who serve at access points."""
    return standing(user).is_staff


def _acts_for_person(user, person: User) -> bool:
    """May act at an access point for `person`: give a password code, confirm meeting them.

    A code takes the account over, so each person is helped only by someone who already holds
    every power their account has, and one facilitator never reaches further than their own
    neighbourhoods' residents:
    - residents, by the facilitators of their neighbourhood and the coordinators of its Municipio;
    - residents without a home neighbourhood (nobody's neighbours), by coordinators;
    - facilitators, by the coordinators of the Municipio of every group they facilitate;
    - coordinators and admins, by admins only; admins help anyone.
    """
    if not _signed_in(user) or person.id == user.id or person.erased_at is not None:
        return False
    mine, theirs = standing(user), standing(person)
    if mine.is_admin:
        return True
    if theirs.is_admin or theirs.coordinated_municipio_ids:
        return False
    if theirs.is_facilitator:
        # A city-wide group's facilitators have its None here: no coordinator is above them.
        return theirs.facilitated_municipio_ids <= mine.coordinated_municipio_ids
    home = person.home_neighbourhood
    if home is None:
        return bool(mine.coordinated_municipio_ids)
    return home.id in mine.facilitated_neighbourhood_ids or home.municipio_id in mine.coordinated_municipio_ids


# --- groups ------------------------------------------------------------------------------------

def _group_appoint_facilitator(user, group: Group) -> bool:
    """Facilitators serve at access points for their group's neighbourhood, so a facilitator is
    made only by someone above one: the Municipio's coordinators and admins (admins alone for
    city-wide groups). A facilitator appointing others could multiply accounts they control."""
    s = standing(user)
    if s.is_admin:
        return True
    neighbourhood = group.neighbourhood
    return neighbourhood is not None and neighbourhood.municipio_id in s.coordinated_municipio_ids


def _group_view(user, group: Group) -> bool:
    return group.visibility == Visibility.PUBLIC or _is_member(user, group) or _manages(user, group)


# A list reads many groups in one query, so it cannot ask the rules above row by row: these are
# their SQL twins, conditions on `Group` rows. tests/test_group_permissions.py checks, for every
# role and every kind of group, that each twin agrees with its rule.

def member_groups_condition(user):
    """The SQL twin of `_is_member`: the groups the person counts as a member of."""
    if not _signed_in(user):
        return false()
    return Group.id.in_(select(Membership.group_id).where(
        Membership.user_id == user.id, Membership.status.in_(MEMBER_STATUSES)))


def readable_groups_condition(user):
    """The SQL twin of `_group_view` (group.view, forum.read, event.view): public groups, the
    person's groups and the groups they manage (as `_manages` counts them). Subqueries only, so
    it costs no query of its own: the notifications in every page's header filter with it."""
    if not _signed_in(user):
        return Group.visibility == Visibility.PUBLIC
    grants = select(RoleGrant.municipio_id).where(RoleGrant.user_id == user.id)
    coordinated = select(Neighbourhood.id).where(
        Neighbourhood.municipio_id.in_(grants.where(RoleGrant.role == Role.COORDINATOR)))
    # Facilitators are active members: the member condition covers the groups they facilitate.
    return or_(Group.visibility == Visibility.PUBLIC, member_groups_condition(user),
               exists(grants.where(RoleGrant.role == Role.ADMIN)), Group.neighbourhood_id.in_(coordinated))


def _group_join(user, group: Group) -> bool:
    """Join at once (open groups) or ask to join (approval groups): not if already in any state."""
    return (_signed_in(user) and group.join_policy != JoinPolicy.INVITE
            and membership(user, group) is None)


def _group_leave(user, group: Group) -> bool:
    # A ban is not something one can leave: it would let the person straight back in.
    row = membership(user, group)
    return row is not None and row.status != MembershipStatus.BANNED


def _group_answer_invitation(user, group: Group) -> bool:
    row = membership(user, group)
    return row is not None and row.status == MembershipStatus.INVITED


def _group_answer_offer(user, group: Group) -> bool:
    row = membership(user, group)
    return row is not None and row.status == MembershipStatus.OFFERED


def _group_create(user, neighbourhood) -> bool:
    """Groups in a neighbourhood: its facilitators, its Municipio's coordinators, admins.
    City-wide groups (neighbourhood None, the thematic tables): admins only."""
    s = standing(user)
    if s.is_admin:
        return True
    if neighbourhood is None:
        return False
    return (neighbourhood.id in s.facilitated_neighbourhood_ids
            or neighbourhood.municipio_id in s.coordinated_municipio_ids)


# --- forums ------------------------------------------------------------------------------------
# A post's state is its own to answer (`post.is_visible`, `post.is_deleted`), as a proposal answers
# `is_author`: the state enum lives with the forums, and portal imports no feature package.

def _thread_start(user, group: Group) -> bool:
    return _can_write(user, group)


def _thread_reply(user, thread) -> bool:
    if thread.deleted_at is not None:
        return False
    if thread.locked:
        return _manages(user, thread.group)
    return _can_write(user, thread.group)


def _post_edit(user, post) -> bool:
    """The author, within the edit window, while the post is visible and they may still write."""
    return (_signed_in(user) and post.author_id == user.id and post.is_visible
            and utcnow() - post.created_at <= EDIT_WINDOW and _can_write(user, post.thread.group))


def _post_delete(user, post) -> bool:
    return _signed_in(user) and post.author_id == user.id and not post.is_deleted


def _post_report(user, post) -> bool:
    return (_signed_in(user) and post.author_id != user.id and post.is_visible
            and _is_member(user, post.thread.group))


def _post_moderate(user, post) -> bool:
    return _manages(user, post.thread.group)


def _thread_moderate(user, thread) -> bool:
    return _manages(user, thread.group)


def _moderate_municipio(user, municipio) -> bool:
    s = standing(user)
    return s.is_admin or municipio.id in s.coordinated_municipio_ids


# --- events ------------------------------------------------------------------------------------

def _event_view(user, event) -> bool:
    return _group_view(user, event.group)


def _event_register(user, event) -> bool:
    """Who may sign up (the window, capacity and dates are the events service's rules).
    Public groups: anyone signed in and not banned; members-only groups: their members."""
    if not _signed_in(user):
        return False
    row = membership(user, event.group)
    if row is not None and row.status == MembershipStatus.BANNED:
        return False
    return event.group.visibility == Visibility.PUBLIC or _is_member(user, event.group) \
        or _manages(user, event.group)


def _registration_cancel(user, registration) -> bool:
    return _signed_in(user) and (registration.user_id == user.id or _manages(user, registration.event.group))


def _event_manage(user, event) -> bool:
    return _manages(user, event.group)


# --- proposals ---------------------------------------------------------------------------------
# A proposal has a neighbourhood, an optional group, a state, and authors (the proposer and the
# co-authors who accepted). `proposal.is_author(user)` answers the latter.

def _proposal_view(user, proposal) -> bool:
    # Never published (a draft, or a draft its authors withdrew): private to its authors.
    if proposal.published_at is None:
        return _signed_in(user) and proposal.is_author(user)
    return proposal.group is None or _group_view(user, proposal.group)


def _proposal_steward(user, proposal) -> bool:
    """Facilitators of a group in the proposal's neighbourhood (or of its group), coordinators of
    its Municipio, admins: they review, answer and follow through."""
    s = standing(user)
    if s.is_admin or proposal.neighbourhood.municipio_id in s.coordinated_municipio_ids:
        return True
    return (proposal.neighbourhood_id in s.facilitated_neighbourhood_ids
            or (proposal.group_id is not None and proposal.group_id in s.facilitated_group_ids))


def _proposal_author(user, proposal) -> bool:
    return _signed_in(user) and proposal.is_author(user)


def _proposal_support(user, proposal) -> bool:
    """Residents of the neighbourhood or members of the proposal's group; never its own authors.
    Whether supports are open (state, window) and in-person verification are the service's rules."""
    if not _signed_in(user) or proposal.is_author(user) or not _proposal_view(user, proposal):
        return False
    if user.home_neighbourhood_id == proposal.neighbourhood_id:
        return True
    return proposal.group is not None and _is_member(user, proposal.group)


def _neighbourhood_settings(user, neighbourhood) -> bool:
    s = standing(user)
    return s.is_admin or neighbourhood.municipio_id in s.coordinated_municipio_ids


def _governance_view(user, place) -> bool:
    """Dashboards and exports. place: None for the city, a Municipio or a Neighbourhood.
    Facilitators see the neighbourhoods of the groups they facilitate; coordinators their
    Municipio and its neighbourhoods; admins everything."""
    s = standing(user)
    if s.is_admin:
        return True
    if place is None:
        return False
    if isinstance(place, Municipio):
        return place.id in s.coordinated_municipio_ids
    return place.municipio_id in s.coordinated_municipio_ids or place.id in s.facilitated_neighbourhood_ids


def _governance_targets(user, place) -> bool:
    """Targets are set for the city (admins) or a Municipio (its coordinators and admins)."""
    s = standing(user)
    return s.is_admin or (isinstance(place, Municipio) and place.id in s.coordinated_municipio_ids)


def _governance_any(user, _subject=None) -> bool:
    s = standing(user)
    return s.is_admin or bool(s.coordinated_municipio_ids or s.facilitated_neighbourhood_ids)


RULES: dict[str, Callable[..., bool]] = {
    "place.view": _anyone,
    "feature.index": _anyone,
    "account.sign_in": _anyone,
    "account.recover": _anyone,  # password resets: by code or by email link
    "account.confirm_email": _anyone,  # the mailed link is the key; read on any phone
    "language.choose": _anyone,
    "account.register": lambda user, _s=None: not _signed_in(user),
    "account.manage": _signed_in,
    "access_point.use": _staff,
    "person.issue_reset_code": _acts_for_person,
    "person.verify_in_person": _acts_for_person,
    "person.correct_home": _acts_for_person,  # at any time, whatever the wait between own changes
    # For someone present who cannot do it themselves: their download, and erasing their account.
    "person.export_data": _acts_for_person,
    "person.erase": _acts_for_person,
    "notifications.view": _signed_in,
    "group.view": _group_view,
    "group.join": _group_join,
    "group.leave": _group_leave,
    "group.answer_invitation": _group_answer_invitation,
    "group.answer_offer": _group_answer_offer,
    "group.manage": _manages,  # requests, invitations, waiting list, members, moderation
    "group.appoint_facilitator": _group_appoint_facilitator,
    "group.create": _group_create,
    "forum.read": _group_view,
    "thread.start": _thread_start,
    "thread.reply": _thread_reply,
    "thread.moderate": _thread_moderate,  # lock, pin, hide or delete a thread
    "post.edit": _post_edit,
    "post.delete": _post_delete,
    "post.report": _post_report,
    "post.moderate": _post_moderate,  # hide, restore, delete with a reason; read earlier versions
    "moderation.municipio": _moderate_municipio,
    "event.view": _event_view,
    "event.create": _manages,  # subject: the group the event belongs to
    "event.manage": _event_manage,  # edit, cancel, attendance list, check-in, CSV export
    "event.register": _event_register,
    "registration.cancel": _registration_cancel,
    "calendar.feed": _signed_in,  # create, show, revoke one's own feed link
    "calendar.read_feed": _anyone,  # calendar apps fetch without cookies: the secret link is the key
    "proposal.view": _proposal_view,
    "proposal.create": _signed_in,
    "proposal.author": _proposal_author,  # edit a draft, invite co-authors, publish, withdraw
    "proposal.support": _proposal_support,
    "proposal.follow": lambda user, proposal: _signed_in(user) and _proposal_view(user, proposal),
    "proposal.steward": _proposal_steward,  # review, answer, mark in progress and done
    "neighbourhood.settings": _neighbourhood_settings,  # support window, threshold, verification
    "governance.index": _governance_any,  # the list of dashboards one may open
    "governance.view": _governance_view,  # a dashboard and its exports
    "governance.targets": _governance_targets,
    "open_data.view": _anyone,  # city and Municipio figures, protected like every dashboard
}


def may(action: str, subject=None, user=None) -> bool:
    rule = RULES[action]  # a KeyError here is a programming error: every action has a rule
    return rule(current_user if user is None else user, subject)


def may_now(action: str, subject, user) -> bool:
    """The rule asked by a service after it locked the rows the answer depends on: roles and
    memberships are read afresh, since the view's earlier answer may predate a ban or a move
    that another request committed while this one waited for the lock."""
    forget_standing()
    return may(action, subject, user)


def require(action: str, subject=None) -> None:
    """Abort with 401 (signed out: the login manager sends them to sign in) or 403."""
    if may(action, subject):
        return
    if not _signed_in(current_user):
        abort(401)
    abort(403)

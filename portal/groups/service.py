"""Group rules that views and the command line share: joining, requests, invitations, the waiting
list, facilitators and the moderation of members.

Functions add to the current transaction; the caller commits (views through
`db.write_transaction()`), so a broken rule never leaves half a change behind. Every change first
locks the group's row, so places are counted exactly however many workers serve requests at once.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from portal import audit, db, signals
from portal.accounts.models import User
from portal.accounts.service import find_by_nickname
from portal.forms import REQUIRED, TOO_LONG
from portal.groups import hooks
from portal.groups.models import (
    HOLDS_A_PLACE,
    MEMBER_STATUSES,
    Group,
    GroupKind,
    JoinPolicy,
    Membership,
    MembershipRole,
    MembershipStatus,
    Visibility,
)
from portal.links import stored_path
from portal.notifications import notify, notify_facilitators
from portal.places.models import Neighbourhood
from portal.rules import RuleError
from portal.slugs import slugify
from portal.timeutil import utcnow

NAME_MAX = 160
ABOUT_MAX = 2000
MESSAGE_MAX = 500  # a request's note and a moderation reason (the columns' size)
MUTE_DAYS = (1, 90)
CAPACITY_MAX = 10_000
# Addresses under /groups/ that are pages, not groups.
RESERVED_SLUGS = frozenset({"new"})

_ALREADY = {
    MembershipStatus.ACTIVE: _l("You are already a member of this group."),
    MembershipStatus.MUTED: _l("You are already a member of this group."),
    MembershipStatus.PENDING: _l("You already asked to join."),
    MembershipStatus.WAITING: _l("You are already on the waiting list."),
    MembershipStatus.OFFERED: _l("A place is already held for you: accept it below."),
    MembershipStatus.INVITED: _l("You are already invited: accept the invitation below."),
    MembershipStatus.BANNED: _l("You cannot join this group."),
}


def page_path(group: Group) -> str:
    """The group page's address, for notifications (which may be sent outside a request)."""
    return stored_path("groups.page", slug=group.slug)


# --- counting and locking ----------------------------------------------------------------------

def lock_group(group: Group) -> None:
    """Serialise every change in one group: a row lock on PostgreSQL. On SQLite it is a no-op; the
    request already holds the database's write lock (BEGIN IMMEDIATE)."""
    db.session.execute(select(Group.id).where(Group.id == group.id).with_for_update())


def _row(group: Group, user_id: int) -> Membership | None:
    # populate_existing: read after the lock, never a copy loaded earlier in the request.
    return db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user_id)
        .execution_options(populate_existing=True))


def _locked_row(group: Group, user_id: int, statuses, message) -> Membership:
    lock_group(group)
    row = _row(group, user_id)
    if row is None or row.status not in statuses:
        raise RuleError(message)
    return row


def counts(group: Group) -> tuple[int, int]:
    """(members, places taken) in one query: what the public sees, never who."""
    members, places = db.session.execute(
        select(func.count(Membership.id).filter(Membership.status.in_(MEMBER_STATUSES)),
               func.count(Membership.id).filter(Membership.status.in_(HOLDS_A_PLACE)))
        .where(Membership.group_id == group.id)).one()
    return members, places


def _has_free_place(group: Group) -> bool:
    return group.capacity is None or counts(group)[1] < group.capacity


def waiting_position(row: Membership) -> int:
    """1 for the first in line."""
    ahead = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.group_id == row.group_id, Membership.status == MembershipStatus.WAITING,
            or_(Membership.queued_at < row.queued_at,
                (Membership.queued_at == row.queued_at) & (Membership.id < row.id))))
    return ahead + 1


# --- becoming a member -------------------------------------------------------------------------

def _activate(group: Group, row: Membership) -> None:
    row.status = MembershipStatus.ACTIVE
    row.queued_at = row.offered_at = None
    signals.record("group.joined", row.user_id, group=group, subject_type="group", subject_id=group.id)


def _admit(group: Group, row: Membership) -> MembershipStatus:
    """A place if one is free, else the end of the waiting list. Counted before `row` is added,
    so a new row never counts itself."""
    if _has_free_place(group):
        _activate(group, row)
    else:
        row.status = MembershipStatus.WAITING
        row.queued_at = utcnow()
    db.session.add(row)
    return row.status


def _new_row(group: Group, user: User, policy: JoinPolicy) -> Membership:
    lock_group(group)
    if group.join_policy != policy:
        raise RuleError(_l("This group does not take new members this way."))
    existing = _row(group, user.id)
    if existing is not None:
        raise RuleError(_ALREADY[existing.status])
    return Membership(user_id=user.id, group_id=group.id, status=MembershipStatus.PENDING)


def join(group: Group, user: User) -> Membership:
    """Open groups: a place at once, or the waiting list when the group is full."""
    row = _new_row(group, user, JoinPolicy.OPEN)
    _admit(group, row)
    return row


def request_to_join(group: Group, user: User, message: str = "") -> Membership:
    """Approval groups: a request with a short note, for a facilitator to answer."""
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise RuleError(TOO_LONG % {"max": MESSAGE_MAX}, "message")
    row = _new_row(group, user, JoinPolicy.APPROVAL)
    row.request_message = message
    db.session.add(row)
    notify_facilitators([Group.id == group.id], "join_requested",
                        stored_path("groups.members", slug=group.slug, _anchor="requests"),
                        actor_id=user.id, readable_in=group, nickname=user.nickname, group=group.name)
    return row


def approve(group: Group, person: User, actor: User) -> Membership:
    row = _locked_row(group, person.id, (MembershipStatus.PENDING,), _l("This request was already answered."))
    row.decided_at, row.decided_by_id = utcnow(), actor.id
    kind = "join_approved" if _admit(group, row) == MembershipStatus.ACTIVE else "join_waiting"
    notify(person.id, kind, page_path(group), group=group.name)
    return row


def decline(group: Group, person: User, actor: User) -> None:
    row = _locked_row(group, person.id, (MembershipStatus.PENDING,), _l("This request was already answered."))
    db.session.delete(row)
    notify(person.id, "join_declined", page_path(group), group=group.name)
    audit.record("group.decline_request", "user", person.id, actor_id=actor.id, group=group.slug)


def invite(group: Group, nickname: str, actor: User) -> Membership:
    lock_group(group)
    person = find_by_nickname(nickname or "")
    if person is None or person.erased_at is not None:
        raise RuleError(_l("Nobody has this nickname."), "nickname")
    if _row(group, person.id) is not None:
        raise RuleError(_l("%(nickname)s is already in this group, invited or asking to join.",
                            nickname=person.nickname), "nickname")
    row = Membership(user_id=person.id, group_id=group.id, status=MembershipStatus.INVITED,
                     invited_by_id=actor.id)
    db.session.add(row)
    notify(person.id, "invited", page_path(group), nickname=actor.nickname, group=group.name)
    return row


def accept_invitation(group: Group, user: User) -> Membership:
    row = _locked_row(group, user.id, (MembershipStatus.INVITED,), _l("There is no invitation to answer."))
    _admit(group, row)
    return row


def decline_invitation(group: Group, user: User) -> None:
    row = _locked_row(group, user.id, (MembershipStatus.INVITED,), _l("There is no invitation to answer."))
    db.session.delete(row)


# --- leaving and the waiting list --------------------------------------------------------------

def _offer_free_places(group: Group) -> None:
    """Offer each free place to the first in line; the place is held until they answer."""
    while _has_free_place(group):
        first = db.session.scalar(
            select(Membership).where(Membership.group_id == group.id,
                                     Membership.status == MembershipStatus.WAITING)
            .order_by(Membership.queued_at, Membership.id).limit(1))
        if first is None:
            return
        first.status, first.offered_at = MembershipStatus.OFFERED, utcnow()
        notify(first.user_id, "place_offered", page_path(group), group=group.name)


def _remove(group: Group, row: Membership) -> None:
    held_a_place = row.status in HOLDS_A_PLACE
    db.session.delete(row)
    if held_a_place:
        _offer_free_places(group)


def leave(group: Group, user: User) -> None:
    """Leave the group, withdraw a request or step out of the waiting list."""
    staying = [status for status in MembershipStatus if status != MembershipStatus.BANNED]
    row = _locked_row(group, user.id, staying, _l("You are not in this group."))
    if row.status in MEMBER_STATUSES:
        signals.record("group.left", user.id, group=group, subject_type="group", subject_id=group.id)
    _remove(group, row)


def leave_all(person: User) -> None:
    """Erasure: out of every group, bans included (the person is gone); places they held go to
    the next in line, as when anyone leaves."""
    rows = db.session.scalars(select(Membership).where(Membership.user_id == person.id)
                              .order_by(Membership.group_id)).all()
    for row in rows:
        lock_group(row.group)
        if row.status in MEMBER_STATUSES:
            signals.record("group.left", person.id, group=row.group, subject_type="group",
                           subject_id=row.group_id)
        _remove(row.group, row)


def accept_offer(group: Group, user: User) -> Membership:
    row = _locked_row(group, user.id, (MembershipStatus.OFFERED,), _l("No place is held for you."))
    _activate(group, row)
    return row


def decline_offer(group: Group, user: User) -> None:
    row = _locked_row(group, user.id, (MembershipStatus.OFFERED,), _l("No place is held for you."))
    _remove(group, row)


# --- facilitators and moderation ---------------------------------------------------------------

def appoint_facilitator(group: Group, person: User, actor: User) -> None:
    row = _locked_row(group, person.id, (MembershipStatus.ACTIVE,),
                      _l("Only members who are not muted or removed can become facilitators."))
    if row.role == MembershipRole.FACILITATOR:
        raise RuleError(_l("%(nickname)s is already a facilitator.", nickname=person.nickname))
    row.role = MembershipRole.FACILITATOR
    notify(person.id, "facilitator_appointed", page_path(group), group=group.name)
    audit.record("group.appoint_facilitator", "user", person.id, actor_id=actor.id, group=group.slug)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(_l("Write the reason: the person will read it."), "reason")
    if len(reason) > MESSAGE_MAX:
        raise RuleError(TOO_LONG % {"max": MESSAGE_MAX}, "reason")
    return reason


def _moderated_row(group: Group, person: User, actor: User, statuses) -> Membership:
    if person.id == actor.id:
        raise RuleError(_l("You cannot mute or remove yourself."))
    row = _locked_row(group, person.id, statuses, _l("This person is not in this group."))
    if row.role == MembershipRole.FACILITATOR:
        raise RuleError(_l("Facilitators cannot be muted or removed."))
    return row


def mute(group: Group, person: User, actor: User, *, days: int, reason: str) -> Membership:
    """The person reads but does not write for `days` days; told why, audited."""
    low, high = MUTE_DAYS
    if not isinstance(days, int) or not low <= days <= high:
        raise RuleError(_l("Choose from %(min)d to %(max)d days.", min=low, max=high), "days")
    reason = _reason(reason)
    row = _moderated_row(group, person, actor, MEMBER_STATUSES)
    row.status, row.muted_until = MembershipStatus.MUTED, utcnow() + timedelta(days=days)
    with force_locale(person.language):  # the date reads in the person's language
        until = format_date(row.muted_until)
    notify(person.id, "muted", page_path(group), group=group.name, until=until, reason=reason)
    audit.record("group.mute", "user", person.id, actor_id=actor.id, reason=reason, group=group.slug,
                 days=days, until=row.muted_until.isoformat())
    return row


def unmute(group: Group, person: User, actor: User) -> None:
    row = _locked_row(group, person.id, (MembershipStatus.MUTED,), _l("This person is not muted."))
    row.status, row.muted_until = MembershipStatus.ACTIVE, None
    audit.record("group.unmute", "user", person.id, actor_id=actor.id, group=group.slug)


def ban(group: Group, person: User, actor: User, *, reason: str) -> None:
    """Out of the group for good (until unbanned); a place they held goes to the next in line, and
    the features subscribed to `hooks.member_banned` take back what the group gave them (seats at
    its events)."""
    reason = _reason(reason)
    not_banned = [status for status in MembershipStatus if status != MembershipStatus.BANNED]
    row = _moderated_row(group, person, actor, not_banned)
    held_a_place = row.status in HOLDS_A_PLACE
    row.status = MembershipStatus.BANNED
    row.muted_until = row.queued_at = row.offered_at = None
    notify(person.id, "banned", page_path(group), group=group.name, reason=reason)
    audit.record("group.ban", "user", person.id, actor_id=actor.id, reason=reason, group=group.slug)
    if held_a_place:
        _offer_free_places(group)
    hooks.member_banned.send(current_app._get_current_object(), group=group, person=person, actor=actor)


def unban(group: Group, person: User, actor: User) -> None:
    """Lift a ban: the person may ask to join again, like anyone else."""
    row = _locked_row(group, person.id, (MembershipStatus.BANNED,), _l("This person is not removed."))
    db.session.delete(row)
    audit.record("group.unban", "user", person.id, actor_id=actor.id, group=group.slug)


# --- creating groups ---------------------------------------------------------------------------

def _free_slug(name: str) -> str:
    base = slugify(name)[:100] or "group"
    taken = set(db.session.scalars(
        select(Group.slug).where(or_(Group.slug == base, Group.slug.like(f"{base}-%"))))) | RESERVED_SLUGS
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def create_group(actor: User, neighbourhood: Neighbourhood | None, *, name: str, about: str = "",
                 kind: GroupKind, visibility: Visibility | None = None,
                 join_policy: JoinPolicy | None = None, capacity: int | None = None) -> Group:
    """A new group, its creator its first facilitator. Mutual-aid groups are members-only and
    take requests unless told otherwise; the others are public and open."""
    name, about = (name or "").strip(), (about or "").strip()
    if not name:
        raise RuleError(REQUIRED, "name")
    if len(name) > NAME_MAX:
        raise RuleError(TOO_LONG % {"max": NAME_MAX}, "name")
    if len(about) > ABOUT_MAX:
        raise RuleError(TOO_LONG % {"max": ABOUT_MAX}, "about")
    if kind == GroupKind.NEIGHBOURHOOD and neighbourhood is None:
        raise RuleError(_l("A neighbourhood group belongs to a neighbourhood: start it from its page."),
                         "kind")
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        raise RuleError(_l("Use a number from 1 to %(max)d, or leave it empty for no limit.",
                            max=CAPACITY_MAX), "capacity")
    mutual_aid = kind == GroupKind.MUTUAL_AID
    group = Group(name=name, about=about, kind=kind, capacity=capacity,
                  neighbourhood_id=neighbourhood.id if neighbourhood else None,
                  visibility=visibility or (Visibility.MEMBERS if mutual_aid else Visibility.PUBLIC),
                  join_policy=join_policy or (JoinPolicy.APPROVAL if mutual_aid else JoinPolicy.OPEN))
    for _attempt in range(3):
        group.slug = _free_slug(name)
        try:
            with db.session.begin_nested():  # two people creating "Doposcuola" at once
                db.session.add(group)
        except IntegrityError:
            continue
        break
    else:
        raise RuleError(_l("Please try again in a moment."), "name")
    founder = Membership(user_id=actor.id, group_id=group.id, role=MembershipRole.FACILITATOR)
    _activate(group, founder)
    db.session.add(founder)
    audit.record("group.create", "group", group.id, actor_id=actor.id, slug=group.slug)
    return group


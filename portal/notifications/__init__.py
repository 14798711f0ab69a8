"""In-app notifications: features call `notify`; the header shows the unread count."""
from __future__ import annotations

from sqlalchemy import func, or_, select, update

from portal import db
from portal.accounts.models import User
from portal.groups.models import Group
from portal.notifications.models import MESSAGES, Notification
from portal.permissions import facilitator_ids, may, readable_groups_condition
from portal.timeutil import utcnow

__all__ = ["Notification", "notify", "notify_facilitators", "shown_to", "unread_count", "mark_all_read"]


def notify(user_id: int, kind: str, link: str = "", *, readable_in: Group | None = None, **params) -> None:
    """Queue a notification in the current transaction: it exists only if the action commits.

    `readable_in`: the group whose content it is about (a thread, an event, a group's proposal).
    It is not sent to someone who may not read that group, since its words (a title, who replied)
    come from there, and it stops being shown if they lose the right later (`shown_to`)."""
    if kind not in MESSAGES:  # a bug in the caller; checked even under python -O, unlike an assert
        raise ValueError(f"unknown notification kind {kind!r}")
    if readable_in is not None and not may("group.view", readable_in, user=db.session.get(User, user_id)):
        return
    db.session.add(Notification(user_id=user_id, kind=kind, link=link, params=params,
                                group_id=readable_in.id if readable_in is not None else None))


def notify_facilitators(group_conditions, kind: str, link: str, *, actor_id: int | None,
                        readable_in: Group | None = None, worded=None, **params) -> set[int]:
    """Tell the facilitators of the groups meeting `group_conditions` (`permissions.facilitator_ids`)
    of something that needs them, never the person who did it; returns who was told.
    `worded(language)` gives the parameters that read in each person's language (dates)."""
    told = set()
    people = db.session.scalars(select(User).where(User.id.in_(facilitator_ids(*group_conditions)),
                                                   User.id != (actor_id or 0)).order_by(User.id))
    for person in people:
        notify(person.id, kind, link, readable_in=readable_in, **params, **(worded(person.language) if worded else {}))
        told.add(person.id)
    return told


def shown_to(user):
    """The condition on Notification for what `user` sees: their own, and of those about a
    group, only the ones about a group they may still read (a ban does not leave titles behind)."""
    return (Notification.user_id == user.id) & or_(
        Notification.group_id.is_(None), Notification.group_id.in_(select(Group.id).where(readable_groups_condition(user))))


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(shown_to(user), Notification.read_at.is_(None))) or 0


def mark_all_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))

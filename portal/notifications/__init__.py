"""In-app notifications: features call `notify`; the header shows the unread count."""
from __future__ import annotations

from sqlalchemy import func, select, update

from portal import db
from portal.notifications.models import MESSAGES, Notification
from portal.timeutil import utcnow

__all__ = ["Notification", "notify", "unread_count", "mark_all_read"]


def notify(user_id: int, kind: str, link: str = "", **params) -> None:
    """Queue a notification in the current transaction: it exists only if the action commits."""
    if kind not in MESSAGES:  # a bug in the caller; checked even under python -O, unlike an assert
        raise ValueError(f"unknown notification kind {kind!r}")
    db.session.add(Notification(user_id=user_id, kind=kind, link=link, params=params))


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_all_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))

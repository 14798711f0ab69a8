"""Personal data kept no longer than needed: an account nobody signed in to for RETENTION_MONTHS
is erased, at least RETENTION_NOTICE_DAYS after its owner was told (in their notifications, and
by mail when they confirmed an address). Signing in once keeps it: `sessions.start` clears the
notice, and using a signed-in device moves `last_active_at`. Run daily: `flask --app portal
erase-inactive` (portal/cli.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_date
from sqlalchemy import func, or_, select

from portal import db
from portal.accounts import erasure
from portal.accounts.models import User
from portal.links import stored_path
from portal.notifications import notify

DAYS_IN_A_MONTH = 30.44


def _limits(now: datetime) -> tuple[datetime, timedelta]:
    config = current_app.config
    unused = timedelta(days=round(config["RETENTION_MONTHS"] * DAYS_IN_A_MONTH))
    return now - unused, timedelta(days=config["RETENTION_NOTICE_DAYS"])


def _last_active():
    return func.coalesce(User.last_active_at, User.created_at)


def to_tell(now: datetime) -> list[User]:
    """Unused long enough to be erased once the notice runs out, and not told since last active."""
    cutoff, notice = _limits(now)
    return list(db.session.scalars(select(User).where(
        User.erased_at.is_(None), _last_active() < cutoff + notice,
        or_(User.inactivity_warned_at.is_(None), User.inactivity_warned_at < _last_active()))
        .order_by(User.id)))


def tell(person: User, now: datetime) -> datetime:
    """Note the notice and put it in the person's notifications; returns the erasure date (the
    caller mails them after the commit)."""
    cutoff, notice = _limits(now)
    erase_on = max(now + notice, db.session.scalar(select(_last_active()).where(User.id == person.id)) + (now - cutoff))
    person.inactivity_warned_at = now
    with force_locale(person.language):
        notify(person.id, "account_unused", stored_path("accounts.account"), until=format_date(erase_on, "long"))
    return erase_on


def to_erase(now: datetime) -> list[int]:
    """Unused past the limit, told after their last use, and the notice has run out."""
    cutoff, notice = _limits(now)
    return list(db.session.scalars(select(User.id).where(
        User.erased_at.is_(None), _last_active() < cutoff, User.inactivity_warned_at >= _last_active(),
        User.inactivity_warned_at <= now - notice).order_by(User.id)))


def erase_unused(user_id: int) -> None:
    person = db.session.get(User, user_id)
    # Posts stay, under "former member": nobody chose to take them down.
    erasure.erase(person, None, remove_posts=False)

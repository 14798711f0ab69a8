"""Signed-in devices, kept on the server: signing out ends the session itself, not only the cookie,
so a cookie copied before "Sign out" (on a shared family phone, say) opens nothing afterwards.

A session ends when its person signs out on that device or everywhere, when they end it from their
account page, when their password changes, after PERMANENT_SESSION_LIFETIME without use, and at the
latest SESSION_MAX_AGE after signing in.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app, g
from sqlalchemy import and_, delete, not_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import contains_eager

from portal import db
from portal.accounts.models import DeviceSession, User
from portal.places.models import Neighbourhood
from portal.timeutil import utcnow

# "Last used" is exact to the minute: finer would write to the database on every page.
TOUCH_EVERY = timedelta(minutes=1)

# The first pattern that matches names the browser (Edge and Opera also say "Chrome", so first).
BROWSERS = [("Edge", r"Edg(?:e|A|iOS)?/"), ("Opera", r"OPR/|Opera"), ("Samsung Internet", r"SamsungBrowser"),
            ("Firefox", r"Firefox/|FxiOS"), ("Chrome", r"Chrome/|CriOS"), ("Safari", r"Safari/")]
SYSTEMS = [("Android", r"Android"), ("iPhone", r"iPhone"), ("iPad", r"iPad"), ("Windows", r"Windows"),
           ("ChromeOS", r"CrOS"), ("Mac", r"Macintosh|Mac OS X"), ("Linux", r"Linux")]


def device_hint(user_agent: str) -> tuple[str, str]:
    """("Chrome", "Android") from a User-Agent: enough to recognise one's phone, nothing more."""
    def first(patterns):
        return next((name for name, pattern in patterns if re.search(pattern, user_agent)), "")
    return first(BROWSERS), first(SYSTEMS)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _still_open():
    """The condition a session row meets while it lasts."""
    now, config = utcnow(), current_app.config
    return (DeviceSession.last_used_at > now - config["PERMANENT_SESSION_LIFETIME"],
            DeviceSession.created_at > now - config["SESSION_MAX_AGE"])


def start(user: User, user_agent: str) -> DeviceSession:
    """A new session for `user` on this device; the caller commits and puts `.secret` in the cookie.
    Sessions that have ended anywhere are cleared out here, so the table never grows stale."""
    db.session.execute(delete(DeviceSession).where(not_(and_(*_still_open()))))
    secret = secrets.token_urlsafe(32)
    browser, system = device_hint(user_agent or "")
    row = DeviceSession(user_id=user.id, secret_hash=_hash(secret), browser=browser, system=system)
    db.session.add(row)
    db.session.flush()
    row.secret = secret
    user.device_session = row
    # In use again: retention counts from here, and an earlier warning no longer holds.
    user.last_active_at, user.inactivity_warned_at = utcnow(), None
    return row


def user_for_secret(secret: str) -> User | None:
    """The signed-in person for a cookie's secret, in one query with what most pages show."""
    row = db.session.scalar(
        select(DeviceSession)
        .join(DeviceSession.user)
        .options(contains_eager(DeviceSession.user)
                 .joinedload(User.home_neighbourhood).joinedload(Neighbourhood.municipio))
        .where(DeviceSession.secret_hash == _hash(secret), User.erased_at.is_(None), *_still_open()))
    if row is None:
        return None
    row.secret = secret
    row.user.device_session = row
    if utcnow() - row.last_used_at >= TOUCH_EVERY:
        g.device_session_to_touch = row.id, row.user_id
    return row.user


def touch_after_request() -> None:
    """Record "last used" once the response is ready (at most once a minute per session).

    Done at the end, in a transaction of its own, so it never commits a view's unfinished work;
    a touch that fails only makes the session look idle a minute earlier."""
    touched = g.pop("device_session_to_touch", None)
    if touched is None:
        return
    session_id, user_id = touched
    db.session.rollback()
    now = utcnow()
    try:
        with db.write_transaction():
            db.session.execute(update(DeviceSession).where(
                DeviceSession.id == session_id, DeviceSession.last_used_at < now - TOUCH_EVERY)
                .values(last_used_at=now))
            db.session.execute(update(User).where(User.id == user_id).values(last_active_at=now))
    except SQLAlchemyError:
        current_app.logger.warning("Could not record the last use of session %s", session_id)


def active(user: User) -> list[DeviceSession]:
    return list(db.session.scalars(
        select(DeviceSession).where(DeviceSession.user_id == user.id, *_still_open())
        .order_by(DeviceSession.last_used_at.desc(), DeviceSession.id.desc())))


def end(user: User, session_id: int) -> bool:
    """End one of `user`'s sessions; False if they have none with that id."""
    return db.session.execute(delete(DeviceSession).where(
        DeviceSession.id == session_id, DeviceSession.user_id == user.id)).rowcount == 1


def end_all(user: User) -> None:
    db.session.execute(delete(DeviceSession).where(DeviceSession.user_id == user.id))

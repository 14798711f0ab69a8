"""Email addresses. One is used (to sign in, for reset links, for mail) only after its owner has
opened the confirmation link sent to it; until then it waits as the account's `pending_email`.

No answer on a page says whether an address already belongs to someone: asking for a taken
address looks the same as any other, and the address's owner is told by mail instead."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import db
from portal.accounts import signed_links
from portal.accounts.models import User

PURPOSE = "email-confirmation"


def normalise(email: str | None) -> str | None:
    email = (email or "").strip()
    return email.lower() if email else None


def confirmed_owner(email: str) -> User | None:
    """The account that confirmed `email`, if any."""
    return db.session.scalar(
        select(User).where(User.email == normalise(email), User.erased_at.is_(None)))


def ask_to_use(user: User, email: str | None) -> bool:
    """Record that `user` wants `email` (already checked to look like one). True when a mail must
    go out for it (mails.ask_to_confirm, after the commit). An empty address removes both the
    confirmed and the waiting one at once: removing needs no confirmation."""
    email = normalise(email)
    if email is None:
        user.email = user.pending_email = None
        return False
    if email == user.pending_email:
        return False  # already waiting; "Send the link again" mails it anew
    if email == user.email:
        user.pending_email = None  # back to the address in use: nothing waits any more
        return False
    user.pending_email = email
    return True


def confirmation_token(user: User) -> str:
    # Names the address: asking for another one later makes the earlier links worthless.
    return signed_links.sign(PURPOSE, {"u": user.id, "e": user.pending_email})


def waiting_for_token(token: str) -> User | None:
    """The account whose waiting address `token` confirms, or None if the link no longer works."""
    data = signed_links.read(PURPOSE, token, hours=current_app.config["EMAIL_LINK_HOURS"])
    user = db.session.get(User, data.get("u")) if data and isinstance(data.get("u"), int) else None
    if user is None or user.erased_at is not None or user.pending_email is None:
        return None
    return user if user.pending_email == data.get("e") else None


def confirm(user: User) -> bool:
    """Make the waiting address the account's own. False if another account confirmed it first
    (only the mailbox's owner gets this far, so saying so reveals nothing to anyone else)."""
    owner = confirmed_owner(user.pending_email)
    if owner is not None and owner.id != user.id:
        return False
    try:
        with db.session.begin_nested():  # two accounts confirming one address at once
            user.email, user.pending_email = user.pending_email, None
            db.session.flush()
    except IntegrityError:
        return False
    return True

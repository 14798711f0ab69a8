"""Erasing an account (GDPR Art. 17): every holder of the person's data erases its part in one
transaction, then the account row stays as an empty shell that names nobody, so posts, proposals
and audit entries that stay for everyone else point at "former member"."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from portal import audit, db
from portal.accounts import service
from portal.accounts.models import User
from portal.accounts.personal_data import Erasure, holders
from portal.governance.rollup import SignalActor
from portal.rules import RuleError
from portal.signals import Signal, actor_key
from portal.timeutil import utcnow

ERASED_KEY_PREFIX = "#erased-"  # "#" is never in a nickname: no one can register this name


def erase(person: User, actor: User | None, *, remove_posts: bool) -> None:
    """`actor`: the person, the facilitator at an access point, or None for retention (a notice
    was given and the account stayed unused)."""
    person = service.lock_person(person)
    if person.erased_at is not None:
        raise RuleError(_l("This account is already erased."))
    erasure = Erasure(person=person, actor=actor or person, remove_posts=remove_posts)
    # portal's own holder is registered first and erases last: the features may still need the
    # person's memberships (whose group an event is in) while they release seats and supports.
    for holder in reversed(holders()):
        if holder.erase is not None:
            holder.erase(erasure)
    _forget_signals(person.id)
    _empty(person)
    # Who erased, and how; nothing about the person but the id of an account that names nobody.
    by = "retention" if actor is None else "self" if actor.id == person.id else "access_point"
    audit.record("user.erase", "user", person.id, actor_id=actor.id if by == "access_point" else None,
                 by=by, posts="removed" if remove_posts else "kept")


def _forget_signals(user_id: int) -> None:
    """Signals keep only what is anonymous already: the keyed hash of the id becomes a random key,
    the same on all of them, so past counts of people stay as they were (one person, counted once)
    and nothing, not even the server's key, joins them back to the account."""
    old, new = actor_key(user_id), secrets.token_hex(32)
    db.session.execute(update(Signal).where(Signal.actor_key == old).values(actor_key=new))
    db.session.execute(update(SignalActor).where(SignalActor.actor_key == old).values(actor_key=new))


def _empty(person: User) -> None:
    person.stored_nickname = ""
    person.nickname_key = f"{ERASED_KEY_PREFIX}{person.id}"
    person.email = person.pending_email = None
    # Matches no password; sign-in refuses erased accounts first anyway.
    person.password_hash = ""  # nosec B105 # an empty hash, not a password
    person.home_neighbourhood_id = person.home_changed_at = None
    person.language = "it"
    person.verified_at = person.verified_by_id = None
    person.last_active_at = person.inactivity_warned_at = None
    person.erased_at = utcnow()

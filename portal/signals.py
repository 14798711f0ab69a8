"""Participation signals: one row per act of participation, the only thing governance reads.

The actor is a keyed hash of the user id, never the id, so signals survive an account's erasure
as anonymous counts and cannot be joined back to people without the server's key.

Each signal also carries what governance needs and could not get later without reading the feature
tables: the actor's language and in-person verification at that moment, whether this was their
first act of participation ever, a quantity (`value`) and a short outcome (`detail`). The kinds, and
what value and detail mean for each, are listed in docs/signals.md.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from sqlalchemy import Boolean, ForeignKey, Index, String, false, select, text
from sqlalchemy.orm import Mapped, mapped_column

from portal import db
from portal.accounts.models import User
from portal.db import Base
from portal.timeutil import utcnow

# Acts a person does themselves. Facilitators' work (moderating, answering, publishing events) and
# automatic changes (promotion from a waiting list, expiry) are signals too, but they do not make
# anyone an "active participant".
PARTICIPATION_KINDS = (
    "group.joined", "forum.posted", "forum.reported", "proposal.created", "proposal.published",
    "proposal.supported", "event.registered", "event.waitlisted", "event.attended",
)


class Signal(Base):
    __tablename__ = "signals"
    __table_args__ = (Index("ix_signals_kind_at", "kind", "at"),
                      Index("ix_signals_municipio_at", "municipio_id", "at"),
                      Index("ix_signals_actor_key", "actor_key"),
                      # Governance folds new signals into its summaries; this finds them at once. The predicates
                      # are written as each dialect renders `not_(rolled_up)`, or the index goes unused.
                      Index("ix_signals_not_rolled_up", "id", sqlite_where=text("rolled_up = 0"),
                            postgresql_where=text("NOT rolled_up")))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    actor_key: Mapped[str] = mapped_column(String(64))
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))
    municipio_id: Mapped[int | None] = mapped_column(ForeignKey("municipi.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None]
    value: Mapped[int | None] = mapped_column(default=None)
    detail: Mapped[str] = mapped_column(String(40), default="", server_default="")
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    first: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    rolled_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


def actor_key(user_id: int) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"signal-actor:{user_id}".encode(), hashlib.sha256).hexdigest()


def _is_first_participation(key: str) -> bool:
    # Signals added earlier in this transaction are flushed by autoflush before the query.
    return db.session.scalar(select(Signal.id).where(
        Signal.actor_key == key, Signal.kind.in_(PARTICIPATION_KINDS)).limit(1)) is None


def record(kind: str, actor_id: int, *, group=None, neighbourhood=None, subject_type: str = "",
           subject_id: int | None = None, value: int | None = None, detail: str = "") -> None:
    """Add a signal to the current transaction. Place comes from the group, else the neighbourhood."""
    if group is not None and neighbourhood is None:
        neighbourhood = group.neighbourhood
    key = actor_key(actor_id)
    actor = db.session.get(User, actor_id)
    participation = kind in PARTICIPATION_KINDS and (value is None or value > 0)
    db.session.add(Signal(
        kind=kind,
        actor_key=key,
        group_id=group.id if group is not None else None,
        neighbourhood_id=neighbourhood.id if neighbourhood is not None else None,
        municipio_id=neighbourhood.municipio_id if neighbourhood is not None else None,
        subject_type=subject_type,
        subject_id=subject_id,
        value=value,
        detail=detail,
        language=actor.language if actor is not None else "",
        verified=actor is not None and actor.verified_at is not None,
        first=participation and _is_first_participation(key),
    ))

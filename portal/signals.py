"""Participation signals: one row per act of participation, the only thing governance reads.

The actor is a keyed hash of the user id, never the id, so signals survive an account's erasure
as anonymous counts and cannot be joined back to people without the server's key.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal import db
from portal.db import Base
from portal.timeutil import utcnow


class Signal(Base):
    __tablename__ = "signals"
    __table_args__ = (Index("ix_signals_kind_at", "kind", "at"),
                      Index("ix_signals_municipio_at", "municipio_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    actor_key: Mapped[str] = mapped_column(String(64))
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))
    municipio_id: Mapped[int | None] = mapped_column(ForeignKey("municipi.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None]


def actor_key(user_id: int) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"signal-actor:{user_id}".encode(), hashlib.sha256).hexdigest()


def record(kind: str, actor_id: int, *, group=None, neighbourhood=None, subject_type: str = "",
           subject_id: int | None = None) -> None:
    """Add a signal to the current transaction. Place comes from the group, else the neighbourhood."""
    if group is not None and neighbourhood is None:
        neighbourhood = group.neighbourhood
    db.session.add(Signal(
        kind=kind,
        actor_key=actor_key(actor_id),
        group_id=group.id if group is not None else None,
        neighbourhood_id=neighbourhood.id if neighbourhood is not None else None,
        municipio_id=neighbourhood.municipio_id if neighbourhood is not None else None,
        subject_type=subject_type,
        subject_id=subject_id,
    ))

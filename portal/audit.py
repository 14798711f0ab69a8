"""The audit log: who did what to whom, why and when, for moderation and admin actions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal import db
from portal.db import Base
from portal.timeutil import utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # None when the action came from the command line (an operator on the server).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def record(action: str, subject_type: str, subject_id: int | None, *, actor_id: int | None,
           reason: str = "", **details) -> AuditEntry:
    """Add an entry to the current transaction, so it commits or rolls back with the action."""
    entry = AuditEntry(action=action, subject_type=subject_type, subject_id=subject_id,
                       actor_id=actor_id, reason=reason, details=details)
    db.session.add(entry)
    return entry

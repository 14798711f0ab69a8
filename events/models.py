"""Events of a group, the families registered for them, and the secret links to personal calendars."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, str_enum
from portal.groups.models import Group
from portal.text import keep_rendered
from portal.timeutil import utcnow


class EventKind(enum.StrEnum):
    WORKSHOP = "workshop"
    MEETING = "meeting"
    MUTUAL_AID = "mutual_aid"
    OPEN_DESK = "open_desk"  # an access point's opening hours


# Languages a session can be held in: Milan's largest communities, as ISO 639-1 codes.
LANGUAGE_CODES = ("it", "en", "ar", "es", "zh", "tl", "bn", "uk", "ro", "si", "fr")
AGE_BANDS = ("0-3", "3-6", "6-11", "11-14", "14-18")
MAX_ADULTS = 10
MAX_CHILDREN = 10


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_upcoming", "ends_at", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("cost_cents >= 0", name="cost_not_negative"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    # The first occurrence of a weekly or fortnightly series; every occurrence is its own event.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True, default=None)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered by portal.text
    description_html: Mapped[str | None] = mapped_column(Text, default=None)  # see keep_rendered below
    text_version: Mapped[int] = mapped_column(default=0)  # of portal.text's sanitiser
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(300), default="")
    accessibility: Mapped[str] = mapped_column(String(1000), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    age_bands: Mapped[list[str]] = mapped_column(JSON, default=list)
    childcare: Mapped[bool] = mapped_column(default=False)
    cost_cents: Mapped[int] = mapped_column(default=0)
    capacity: Mapped[int | None] = mapped_column(default=None)  # seats; None: no limit
    registration_opens_at: Mapped[datetime]
    registration_closes_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")

    group: Mapped[Group] = relationship()


# Pages show the stored HTML; writing the text stores it.
keep_rendered(Event, "description")


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Attendance(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"


class Registration(Base):
    """One family's registration: the row is reused if they cancel and register again."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        UniqueConstraint("event_id", "code"),
        UniqueConstraint("event_id", "sequence"),
        Index("ix_registrations_queue", "event_id", "status", "sequence"),
        CheckConstraint(f"adults BETWEEN 1 AND {MAX_ADULTS}", name="adults_range"),
        CheckConstraint(f"children BETWEEN 0 AND {MAX_CHILDREN}", name="children_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    adults: Mapped[int]
    children: Mapped[int] = mapped_column(default=0)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    # Place in the line of everyone who signed up for the event: registering again takes a new,
    # last number. The waiting list is the waitlisted registrations in this order.
    sequence: Mapped[int]
    code: Mapped[str] = mapped_column(String(6))  # read out or shown at the door to check in
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    attendance: Mapped[Attendance | None] = mapped_column(str_enum(Attendance), default=None)
    attendance_marked_at: Mapped[datetime | None] = mapped_column(default=None)
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(default=None)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def seats(self) -> int:
        return self.adults + self.children


class CalendarFeed(Base):
    """A person's secret calendar link. Only a hash of the token is kept, so a leaked database
    does not open anyone's calendar; a new link replaces the old one."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

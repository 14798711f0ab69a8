"""The events' part of a person's data (portal/accounts/personal_data.py): registrations and the
secret calendar link."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from events import service
from events.models import CalendarFeed, Event, Registration
from portal import db
from portal.accounts.personal_data import ERASED, Erasure, Holder, Section


def _registrations(person) -> list[dict]:
    rows = db.session.execute(select(Registration, Event).join(Event, Event.id == Registration.event_id)
                              .where(Registration.user_id == person.id).order_by(Registration.id))
    return [{"event": event.title, "starts_at": event.starts_at, "place": event.place,
             "adults": r.adults, "children": r.children, "status": r.status, "registered_at": r.registered_at,
             "attendance": r.attendance} for r, event in rows]


def _calendar(person) -> list[dict]:
    # The link itself is not kept (only its hash): the download says one exists and since when.
    return [{"created_at": feed.created_at}
            for feed in db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == person.id))]


def _erase(erasure: Erasure) -> None:
    person = erasure.person
    # Seats to come go to the waiting list through the same promotion as any cancellation.
    service.release_upcoming(person, erasure.actor)
    for model in (Registration, CalendarFeed):
        db.session.execute(delete(model).where(model.user_id == person.id))


HOLDER = Holder(
    sections=(
        Section("registrations", _l("Your registrations for events"), {
            "event": _l("Event"), "starts_at": _l("When"), "place": _l("Place"), "adults": _l("Adults"),
            "children": _l("Children"), "status": _l("Status"), "registered_at": _l("Registered on"),
            "attendance": _l("Attendance")}, _registrations,
            {"status": {"confirmed": _l("Registered"), "waitlisted": _l("On the waiting list"),
                        "cancelled": _l("Cancelled")},
             "attendance": {"present": _l("Present"), "absent": _l("Absent")}}),
        Section("calendar", _l("Your calendar link"), {"created_at": _l("Made on")}, _calendar),
    ),
    columns={"registrations.user_id": ERASED, "calendar_feeds.user_id": ERASED},
    kept={
        "events.created_by_id": "the facilitator who published an event for a group",
        "events.cancelled_by_id": "the facilitator who cancelled an event",
        "registrations.attendance_marked_by_id": "the facilitator who marked someone else present",
    },
    erase=_erase,
)

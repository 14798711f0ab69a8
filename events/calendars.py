"""iCalendar files: one event to add to a phone's calendar, or a person's feed of their events.

Times carry TZID=Europe/Rome with the zone's VTIMEZONE, so a calendar shows 18:00 as 18:00 in
summer and in winter; UIDs depend only on the event, so a calendar updates an event it already has.
"""
from __future__ import annotations

from datetime import UTC, timedelta

from flask import Response
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from events import dates
from events.models import Event, Registration, RegistrationStatus
from portal.links import public_host, public_url
from portal.text import excerpt, one_line
from portal.timeutil import utcnow

PRODID = "-//Cortile//Events//EN"
DESCRIPTION_LENGTH = 4000
# How often calendar apps should fetch a feed again.
REFRESH = timedelta(hours=6)


def _uid(event: Event) -> str:
    return f"cortile-event-{event.id}@{public_host()}"


def _status(event: Event, registration: Registration | None) -> str:
    if event.cancelled_at is not None:
        return "CANCELLED"
    if registration is not None and registration.status == RegistrationStatus.WAITLISTED:
        return "TENTATIVE"
    return "CONFIRMED"


def _summary(event: Event, registration: Registration | None) -> str:
    if event.cancelled_at is not None:
        return _("Cancelled: %(title)s", title=event.title)
    if registration is not None and registration.status == RegistrationStatus.WAITLISTED:
        return _("Waiting list: %(title)s", title=event.title)
    return event.title


def _description(event: Event, registration: Registration | None, link: str) -> str:
    """Plain text: the description without its Markdown, then what a family needs at the door."""
    lines = [excerpt(event.description, DESCRIPTION_LENGTH), event.group.name]
    if registration is not None and registration.status == RegistrationStatus.CONFIRMED:
        lines.append(_("Your code for the door: %(code)s", code=registration.code))
    if event.accessibility:
        lines.append(_("Accessibility: %(notes)s", notes=event.accessibility))
    lines.append(link)
    return "\n\n".join(line for line in lines if line)


def _component(event: Event, registration: Registration | None) -> CalendarEvent:
    link = public_url("events.show", event_id=event.id)
    return CalendarEvent.new(
        uid=_uid(event), stamp=utcnow().replace(tzinfo=UTC),
        start=dates.to_local(event.starts_at), end=dates.to_local(event.ends_at),
        summary=one_line(_summary(event, registration)),
        location=one_line(", ".join(part for part in (event.place, event.address) if part)),
        description=_description(event, registration, link), url=link,
        status=_status(event, registration))


def response(rows: list[tuple[Event, Registration | None]], *, uid: str, name: str,
             filename: str | None = None) -> Response:
    """The calendar; with a filename it downloads as a file (one event), else it is a feed."""
    download = filename is not None
    # icalendar escapes line breaks in an event's text but not in the calendar's name; and a title
    # saved before forms refused line breaks still belongs on one line in a calendar app.
    calendar = Calendar.new(prodid=PRODID, name=one_line(name), uid=uid,
                            refresh_interval=None if download else REFRESH,
                            subcomponents=[_component(event, registration) for event, registration in rows])
    if rows:
        # A VTIMEZONE covering only the years the events span keeps the file small on slow phones.
        first = min(event.starts_at for event, _registration in rows).date()
        last = max(event.ends_at for event, _registration in rows).date()
        calendar.add_missing_timezones(first_date=first - timedelta(days=366),
                                       last_date=last + timedelta(days=366))
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if download else {}
    return Response(calendar.to_ical(), mimetype="text/calendar", headers=headers)

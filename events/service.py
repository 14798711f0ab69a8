"""Event rules that views and the command line share: creating series, editing and cancelling,
registering with a waiting list that moves, check-in, reminders and calendar links.

Functions add to the current transaction; the caller commits (views through
`db.write_transaction()`). Everything that counts seats first locks the event's row, then counts
in SQL, then writes, so two families can never take the same last seat.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, select, update

from events import dates
from events.models import Attendance, CalendarFeed, Event, Registration, RegistrationStatus
from events.queries import confirmed_seats, seats_left
from portal import audit, db, permissions, signals
from portal.accounts.models import User
from portal.accounts.service import CODE_ALPHABET
from portal.forms import normalise_code
from portal.groups.service import page_path
from portal.links import stored_path
from portal.groups.models import Group
from portal.notifications import notify, notify_facilitators
from portal.rules import RuleError
from portal.timeutil import utcnow

CODE_LENGTH = 6
MAX_OCCURRENCES = 26
REPEAT_WEEKS = {"weekly": 1, "fortnightly": 2}
REMINDER_WINDOW = (timedelta(hours=12), timedelta(hours=36))
STILL_REGISTERED = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def event_link(event_id: int) -> str:
    """For notifications, which reminders also send from the command line."""
    return stored_path("events.show", event_id=event_id)


def _locked_event(event_id: int) -> Event:
    """The event's row, locked until the transaction ends (SQLite: the write lock, taken up front)."""
    db.begin_write()
    return db.session.scalar(
        select(Event).where(Event.id == event_id).with_for_update()
        .execution_options(populate_existing=True))


# --- creating, editing, cancelling -------------------------------------------------------------

def _shifted(moment: datetime, weeks: int) -> datetime:
    """The same wall-clock time `weeks` later in the city: 18:00 stays 18:00 across summer time."""
    local = dates.to_local(moment).replace(tzinfo=None)
    return dates.to_utc(local + timedelta(weeks=weeks))


def _with_window(fields: dict, now: datetime) -> dict:
    """Registration opens now and closes at the start unless the facilitator chose otherwise."""
    fields = dict(fields)
    fields["registration_opens_at"] = fields.get("registration_opens_at") or now
    fields["registration_closes_at"] = fields.get("registration_closes_at") or fields["starts_at"]
    if fields["registration_closes_at"] <= fields["registration_opens_at"]:
        raise RuleError(_l("Registration must close after it opens."), "registration_closes")
    if fields["registration_closes_at"] > fields["ends_at"]:
        raise RuleError(_l("Registration must close by the end of the event."), "registration_closes")
    return fields


def create_events(group, author: User, fields: dict, *, repeat: str | None = None,
                  occurrences: int = 1) -> list[Event]:
    """One event, or a weekly or fortnightly series of up to 26, each with its own registrations.
    Times the facilitator chose move with each occurrence; "from now" stays now."""
    now = utcnow()
    if fields["starts_at"] <= now:
        raise RuleError(_l("The start is in the past."), "starts_at")
    step = REPEAT_WEEKS[repeat] if repeat else 0
    count = min(occurrences, MAX_OCCURRENCES) if step else 1
    events = []
    for number in range(count):
        moved = {key: (_shifted(value, step * number) if isinstance(value, datetime) else value)
                 for key, value in fields.items()}
        event = Event(group_id=group.id, created_by_id=author.id, **_with_window(moved, now))
        db.session.add(event)
        events.append(event)
    db.session.flush()
    for event in events:
        if count > 1:
            event.series_id = events[0].id
        signals.record("event.published", author.id, group=group, subject_type="event",
                       subject_id=event.id, value=event.capacity)
    return events


def update_event(event_id: int, fields: dict, actor: User) -> Event:
    event = _locked_event(event_id)
    if event.cancelled_at is not None:
        raise RuleError(_l("This event has been cancelled."))
    confirmed = confirmed_seats(event.id)
    capacity = fields["capacity"]
    if capacity is not None and capacity < confirmed:
        raise RuleError(ngettext(
            "%(num)d seat is already confirmed: the capacity cannot be lower.",
            "%(num)d seats are already confirmed: the capacity cannot be lower.", confirmed), "capacity")
    seats_before = event.capacity or 0
    for key, value in _with_window(fields, utcnow()).items():
        setattr(event, key, value)
    _seats_changed(event, actor.id, (event.capacity or 0) - seats_before, "edited")
    _promote(event)
    return event


def cancel_event(event_id: int, actor: User, reason: str) -> int:
    """Cancel and tell everyone registered or waiting; returns how many were told."""
    event = _locked_event(event_id)
    if event.cancelled_at is not None:
        raise RuleError(_l("This event has already been cancelled."))
    event.cancelled_at = utcnow()
    event.cancelled_by_id = actor.id
    event.cancel_reason = reason
    people = db.session.execute(
        select(Registration.user_id, User.language).join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event.id, Registration.status.in_(STILL_REGISTERED))).all()
    for user_id, language in people:
        notify(user_id, "event_cancelled", event_link(event.id), readable_in=event.group, event=event.title,
               when=dates.when(event.starts_at, language), reason=reason)
    audit.record("event.cancel", "event", event.id, actor_id=actor.id, reason=reason)
    _seats_changed(event, actor.id, -(event.capacity or 0), "cancelled")
    return len(people)


def _seats_changed(event: Event, actor_id: int, change: int, why: str) -> None:
    """Seats offered are the sum of event.published and event.seats_changed values."""
    if change:
        signals.record("event.seats_changed", actor_id, group=event.group, subject_type="event",
                       subject_id=event.id, value=change, detail=why)


# --- registering and the waiting list ----------------------------------------------------------

def _random_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _new_code(event_id: int) -> str:
    """A code no one else has for this event. The event is locked, so checking first is enough;
    the unique constraint stands behind it."""
    while True:
        code = _random_code()
        taken = db.session.scalar(
            select(Registration.id).where(Registration.event_id == event_id, Registration.code == code))
        if taken is None:
            return code


def _next_sequence(event_id: int) -> int:
    last = db.session.scalar(
        select(Registration.sequence).where(Registration.event_id == event_id)
        .order_by(Registration.sequence.desc()).limit(1))
    return (last or 0) + 1


def registration_problem(event: Event, now: datetime | None = None):
    """Why nobody can register now, or None."""
    now = now or utcnow()
    if event.cancelled_at is not None:
        return _l("This event has been cancelled.")
    if event.ends_at <= now:
        return _l("This event is over.")
    if now < event.registration_opens_at:
        return _l("Registration opens on %(when)s.", when=dates.when(event.registration_opens_at))
    if now >= event.registration_closes_at:
        return _l("Registration has closed.")
    return None


def register(event_id: int, user: User, adults: int, children: int) -> Registration:
    """Confirmed while seats remain, otherwise at the back of the waiting list."""
    event = _locked_event(event_id)
    # Asked again under the lock: a ban committed while this request waited ends the right.
    if not permissions.may_now("event.register", event, user):
        raise RuleError(_l("You cannot sign up for this event."))
    now = utcnow()
    problem = registration_problem(event, now)
    if problem is not None:
        raise RuleError(problem)
    registration = db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id))
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        raise RuleError(_l("You are already registered for this event."))
    free = seats_left(event, confirmed_seats(event.id))
    sequence = _next_sequence(event.id)
    if registration is None:
        # Cancelling and registering again reuses the row, and the code people may have noted.
        registration = Registration(event_id=event.id, user_id=user.id, code=_new_code(event.id),
                                    sequence=sequence)
        db.session.add(registration)
    registration.adults, registration.children = adults, children
    registration.status = (RegistrationStatus.CONFIRMED if free is None or adults + children <= free
                           else RegistrationStatus.WAITLISTED)
    registration.sequence = sequence
    registration.registered_at = now
    registration.cancelled_at = registration.promoted_at = registration.reminder_sent_at = None
    registration.attendance = registration.attendance_marked_at = None
    registration.attendance_marked_by_id = None
    db.session.flush()
    kind = "event.registered" if registration.status == RegistrationStatus.CONFIRMED else "event.waitlisted"
    signals.record(kind, user.id, group=event.group, subject_type="event", subject_id=event.id,
                   value=registration.seats)
    _tell_organisers(event, "event_registered", person=user, actor=user)
    return registration


def _tell_organisers(event: Event, kind: str, *, person: User, actor: User) -> None:
    """The group's facilitators and the event's author while they still manage it (a coordinator
    who made it), linked to the attendance list; not whoever did it."""
    link = stored_path("events.attendance", event_id=event.id)
    params = dict(readable_in=event.group, nickname=person.nickname, event=event.title)

    def worded(language: str) -> dict:
        return {"when": dates.when(event.starts_at, language)}

    told = notify_facilitators([Group.id == event.group_id], kind, link, actor_id=actor.id, worded=worded,
                               **params)
    author = db.session.get(User, event.created_by_id)
    if author.id not in told and author.id != actor.id and permissions.may("event.manage", event, user=author):
        notify(author.id, kind, link, **params, **worded(author.language))


def _locked_registration(registration_id: int) -> tuple[Event, Registration]:
    """The registration and its event, the event locked and both read as they are now."""
    registration = db.session.get(Registration, registration_id)
    event = _locked_event(registration.event_id)
    db.session.refresh(registration)
    return event, registration


def cancel_registration(registration_id: int, actor: User) -> Registration:
    """Free the seats and move the waiting list up."""
    event, registration = _locked_registration(registration_id)
    if registration.status == RegistrationStatus.CANCELLED:
        raise RuleError(_l("This registration is already cancelled."))
    if event.starts_at <= utcnow():
        raise RuleError(_l("The event has already started."))
    _release(event, registration, actor)
    _tell_organisers(event, "event_unregistered", person=registration.user, actor=actor)
    return registration


def _release(event: Event, registration: Registration, actor: User) -> None:
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    db.session.flush()
    signals.record("event.cancelled", registration.user_id, group=event.group, subject_type="event",
                   subject_id=event.id, value=registration.seats,
                   detail="confirmed" if was_confirmed else "waitlisted")
    if actor.id != registration.user_id:
        audit.record("registration.cancel", "registration", registration.id, actor_id=actor.id)
    if was_confirmed:
        _promote(event)


def release_seats_of_banned(_app, *, group, person: User, actor: User) -> None:
    """Subscribed to `member_banned`: a ban ends the person's registrations for the group's events
    still to come, as if a facilitator cancelled each one, so their seats (and door codes) go to
    the waiting list through the same promotion as any cancellation."""
    for event in release_upcoming(person, actor, Event.group_id == group.id):
        # Linked to the group's page, which a banned person may still open (the event's may not be).
        notify(person.id, "registration_released", page_path(group), event=event.title,
               when=dates.when(event.starts_at, person.language), group=group.name)


def release_upcoming(person: User, actor: User, *conditions) -> list[Event]:
    """End the person's registrations for events still to come (those meeting `conditions`), each
    as a cancellation by `actor`, and return their events. Each event is locked in turn; one that
    started or was cancelled meanwhile is left as it is."""
    upcoming = db.session.scalars(
        select(Registration.id).join(Event, Event.id == Registration.event_id)
        .where(*conditions, Event.cancelled_at.is_(None), Event.starts_at > utcnow(),
               Registration.user_id == person.id, Registration.status.in_(STILL_REGISTERED))
        .order_by(Event.id)).all()
    released = []
    for registration_id in upcoming:
        event, registration = _locked_registration(registration_id)
        if registration.status not in STILL_REGISTERED or event.starts_at <= utcnow():
            continue
        _release(event, registration, actor)
        released.append(event)
    return released


def _promote(event: Event) -> list[Registration]:
    """Confirm the earliest waiting registrations that fit; one that does not fit keeps its place."""
    if event.cancelled_at is not None or event.starts_at <= utcnow():
        return []
    free = seats_left(event, confirmed_seats(event.id))
    waiting = db.session.execute(
        select(Registration, User.language).join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.sequence)).all()
    promoted = []
    for registration, language in waiting:
        if free is not None and registration.seats > free:
            continue
        if free is not None:
            free -= registration.seats
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = utcnow()
        notify(registration.user_id, "event_promoted", event_link(event.id), readable_in=event.group,
               event=event.title, when=dates.when(event.starts_at, language))
        signals.record("event.promoted", registration.user_id, group=event.group,
                       subject_type="event", subject_id=event.id, value=registration.seats)
        promoted.append(registration)
    return promoted


# --- at the door -------------------------------------------------------------------------------

def confirmed_by_code(event_id: int, text: str) -> Registration | None:
    code = normalise_code(text)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.code == code,
                                   Registration.status == RegistrationStatus.CONFIRMED))


def check_in_by_code(event_id: int, text: str, actor: User) -> Registration | None:
    """The confirmed registration with this door code, marked present; None if no one has it."""
    registration = confirmed_by_code(event_id, text)
    return None if registration is None else mark_attendance(registration, actor, Attendance.PRESENT)


def mark_attendance(registration: Registration, actor: User, attendance: Attendance) -> Registration:
    """Present or absent. Signals only add up: a correction takes the earlier mark back with a
    value of -1 before adding the new one, so sums over signals stay right."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RuleError(_l("Only confirmed registrations can be checked in."))
    if registration.event.cancelled_at is not None:
        raise RuleError(_l("This event has been cancelled."))
    if registration.attendance == attendance:
        return registration
    if registration.attendance is not None:
        _attendance_signal(registration, registration.attendance, -1)
    registration.attendance = attendance
    registration.attendance_marked_at = utcnow()
    registration.attendance_marked_by_id = actor.id
    _attendance_signal(registration, attendance, 1)
    return registration


def _attendance_signal(registration: Registration, attendance: Attendance, value: int) -> None:
    kind = "event.attended" if attendance == Attendance.PRESENT else "event.absent"
    signals.record(kind, registration.user_id, group=registration.event.group, subject_type="event",
                   subject_id=registration.event_id, value=value)


# --- reminders ---------------------------------------------------------------------------------

def send_reminders(now: datetime | None = None) -> int:
    """Remind confirmed families of events starting in 12 to 36 hours, once each.

    One conditional UPDATE claims the reminders it sends: a second run at the same time finds
    them claimed (PostgreSQL re-checks the condition after waiting for the first run's lock)."""
    now = now or utcnow()
    soon = select(Event.id).where(Event.cancelled_at.is_(None),
                                  Event.starts_at.between(now + REMINDER_WINDOW[0], now + REMINDER_WINDOW[1]))
    claimed = db.session.scalars(
        update(Registration)
        .where(Registration.event_id.in_(soon), Registration.status == RegistrationStatus.CONFIRMED,
               Registration.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now)
        .returning(Registration.id)
        .execution_options(synchronize_session=False)).all()
    if not claimed:
        return 0
    rows = db.session.execute(
        select(Registration.user_id, Registration.code, Event, User.language)
        .join(Event, Event.id == Registration.event_id).join(User, User.id == Registration.user_id)
        .where(Registration.id.in_(claimed))).all()
    for user_id, code, event, language in rows:
        notify(user_id, "event_reminder", event_link(event.id), readable_in=event.group, event=event.title,
               when=dates.when(event.starts_at, language), place=event.place, code=code)
    return len(rows)


# --- personal calendar links -------------------------------------------------------------------

def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_calendar_token(user: User) -> str:
    """A new secret link for the person's calendar; the previous one stops working. Returns the
    token once: only its hash is kept."""
    # Lock the person's row: two clicks at once must not both insert a feed.
    db.session.scalar(select(User.id).where(User.id == user.id).with_for_update())
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.add(CalendarFeed(user_id=user.id, token_hash=_hash_token(token)))
    return token


def revoke_calendar_token(user: User) -> None:
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))


def calendar_feed(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def calendar_owner(token: str) -> User | None:
    return db.session.scalar(
        select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == _hash_token(token), User.erased_at.is_(None)))

"""Read-only lookups for event pages and lists, each a fixed number of queries however many
events or registrations there are."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from flask import abort
from sqlalchemy import String, cast, false, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from events.dates import to_utc
from events.models import Event, Registration, RegistrationStatus
from portal import db, permissions
from portal.accounts.models import User
from portal.accounts.nicknames import fold
from portal.groups.models import Group
from portal.pagination import split_page
from portal.timeutil import utcnow

PER_PAGE = 20
NEARBY_LIMIT = 10


class Listed(NamedTuple):
    event: Event
    confirmed_seats: int

    @property
    def seats_left(self) -> int | None:
        return seats_left(self.event, self.confirmed_seats)


def seats_left(event: Event, confirmed: int) -> int | None:
    return None if event.capacity is None else max(event.capacity - confirmed, 0)


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    date_from: date | None = None  # days in the city's calendar, both included
    date_to: date | None = None
    age_band: str | None = None
    language: str | None = None


def event_or_404(event_id: int) -> Event:
    """The event with its group and neighbourhood, which the permission rules read."""
    event = db.session.scalar(
        select(Event).options(joinedload(Event.group).joinedload(Group.neighbourhood))
        .where(Event.id == event_id))
    if event is None:
        abort(404)
    return event


def registration_or_404(registration_id: int) -> Registration:
    registration = db.session.scalar(
        select(Registration)
        .options(joinedload(Registration.event).joinedload(Event.group).joinedload(Group.neighbourhood))
        .where(Registration.id == registration_id))
    if registration is None:
        abort(404)
    return registration


def _confirmed_seats_by_event():
    return (
        select(Registration.event_id,
               func.sum(Registration.adults + Registration.children).label("seats"))
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.event_id)
        .subquery())


def confirmed_seats(event_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Registration.adults + Registration.children), 0))
        .where(Registration.event_id == event_id,
               Registration.status == RegistrationStatus.CONFIRMED))


def waiting_count(event_id: int) -> int:
    return db.session.scalar(
        select(func.count(Registration.id))
        .where(Registration.event_id == event_id,
               Registration.status == RegistrationStatus.WAITLISTED))


def waitlist_position(registration: Registration) -> int:
    """1 for the first in line; people promoted or gone no longer count."""
    return db.session.scalar(
        select(func.count(Registration.id))
        .where(Registration.event_id == registration.event_id,
               Registration.status == RegistrationStatus.WAITLISTED,
               Registration.sequence <= registration.sequence))


def registration_of(user, event_id: int) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.user_id == user.id))


def _near(user):
    """Events of the person's neighbourhood, of their groups and of the groups they facilitate."""
    if not getattr(user, "is_authenticated", False):
        return false()
    home = user.home_neighbourhood_id
    return or_(Group.neighbourhood_id == home if home is not None else false(),
               permissions.member_groups_condition(user),
               Group.id.in_(permissions.standing(user).facilitated_group_ids))


def _lists(column, code: str):
    # The codes come from a fixed list of letters and dashes, and JSON always quotes strings, so
    # matching the quoted code in the JSON text is exact, and the same on SQLite and PostgreSQL.
    return cast(column, String).contains(f'"{code}"', autoescape=True)


def _day_start(day: date) -> datetime:
    return to_utc(datetime.combine(day, time()))


def _filtered(filters: Filters) -> list:
    conditions = []
    if filters.kind:
        conditions.append(Event.kind == filters.kind)
    if filters.date_from:
        conditions.append(Event.starts_at >= _day_start(filters.date_from))
    if filters.date_to:
        conditions.append(Event.starts_at < _day_start(filters.date_to + timedelta(days=1)))
    if filters.age_band:
        conditions.append(_lists(Event.age_bands, filters.age_band))
    if filters.language:
        conditions.append(_lists(Event.languages, filters.language))
    return conditions


def _listing(conditions, *, limit: int, offset: int = 0) -> list[Listed]:
    seats = _confirmed_seats_by_event()
    rows = db.session.execute(
        select(Event, func.coalesce(seats.c.seats, 0))
        .join(Event.group)
        .outerjoin(seats, seats.c.event_id == Event.id)
        .options(contains_eager(Event.group).joinedload(Group.neighbourhood))
        .where(Event.cancelled_at.is_(None), Event.ends_at > utcnow(), *conditions)
        .order_by(Event.starts_at, Event.id)
        .offset(offset).limit(limit)
    ).all()
    return [Listed(event, seats) for event, seats in rows]


def upcoming(user, filters: Filters, page: int) -> tuple[list[Listed], bool]:
    """One page of upcoming events the person may see, and whether there is a next page."""
    rows = _listing([permissions.readable_groups_condition(user), *_filtered(filters)],
                    limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return split_page(rows, PER_PAGE)


def upcoming_near(user, filters: Filters) -> list[Listed]:
    return _listing([permissions.readable_groups_condition(user), _near(user), *_filtered(filters)],
                    limit=NEARBY_LIMIT)


def other_dates(event: Event) -> list[Event]:
    """The series' other upcoming occurrences."""
    if event.series_id is None:
        return []
    return db.session.scalars(
        select(Event).where(Event.series_id == event.series_id, Event.id != event.id,
                            Event.cancelled_at.is_(None), Event.ends_at > utcnow())
        .order_by(Event.starts_at)).all()


def attendance_list(event_id: int, search: str = "") -> list[tuple[Registration, str]]:
    """Confirmed registrations with nicknames, alphabetical, optionally only matching nicknames."""
    conditions = [Registration.event_id == event_id,
                  Registration.status == RegistrationStatus.CONFIRMED]
    if search:
        conditions.append(User.nickname_key.contains(fold(search), autoescape=True))
    return [tuple(row) for row in db.session.execute(
        select(Registration, User.nickname).join(User, User.id == Registration.user_id)
        .where(*conditions).order_by(User.nickname_key))]


def export_rows(event_id: int) -> list[tuple[Registration, str]]:
    """Everyone confirmed, then the waiting list in its order."""
    return [tuple(row) for row in db.session.execute(
        select(Registration, User.nickname).join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event_id, Registration.status != RegistrationStatus.CANCELLED)
        .order_by(Registration.status == RegistrationStatus.WAITLISTED, Registration.sequence))]


def feed_events(user) -> list[tuple[Event, Registration]]:
    """A person's confirmed and waiting registrations from the last month on, for their calendar."""
    return [tuple(row) for row in db.session.execute(
        select(Event, Registration)
        .join(Registration, Registration.event_id == Event.id)
        .options(joinedload(Event.group).joinedload(Group.neighbourhood))
        .where(Registration.user_id == user.id,
               Registration.status.in_([RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]),
               Event.ends_at > utcnow() - timedelta(days=30))
        .order_by(Event.starts_at))]

"""Workshops and sessions: facilitators publish the weeks ahead on Mondays, families register (the
popular ones fill up and keep a waiting list), some cancel, a few events are called off, and the
facilitator marks who came after each one."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from demo import texts
from demo.agenda import poisson
from demo.world import Circle, World
from events import service as events
from events.models import Attendance, Event, EventKind, Registration, RegistrationStatus
from portal import db
from portal.accounts import service as accounts
from portal.accounts.models import User

MEMBERS_PER_WEEKLY_EVENT = 80  # a network publishes about one event a week more per this many members
MOST_A_WEEK = 4
SEATS_PER_FAMILY = 2.5
# Weekly homework sessions from the start of each school term.
HOMEWORK_SERIES = next(template for template in texts.EVENTS if template[0] == "Compiti insieme")
TERM_STARTS = (9, 2)
PRESENT_SHARE = 0.82


class EventLife:
    def __init__(self, world: World):
        self.world = world
        self.registered: dict[int, set[int]] = defaultdict(set)  # event id -> who registered

    def plan(self, day: date, place: Circle, pace: float) -> None:
        """Mondays: the events of the next two weeks; at the start of a school term, homework sessions."""
        if day.weekday() != 0:
            return
        world, rng = self.world, self.world.rng
        count = min(MOST_A_WEEK, poisson(rng, (0.4 + len(place.members) / MEMBERS_PER_WEEKLY_EVENT) * pace))
        for _ in range(count):
            held_on = day + timedelta(days=rng.randint(3, 16))
            if held_on.weekday() == 6:
                held_on -= timedelta(days=1)  # Sundays are for families: Saturday instead
            world.agenda.at(world.moment_on(day, 9, 13), self.publish, place, rng.choice(texts.EVENTS), held_on, 1)
        if day.month in TERM_STARTS and day.day <= 7 and len(place.members) >= 10 and rng.random() < 0.5:
            world.agenda.at(world.moment_on(day, 9, 13), self.publish, place, HOMEWORK_SERIES,
                            day + timedelta(days=1), rng.randint(6, 10))

    def publish(self, moment: datetime, place: Circle, template: tuple, held_on: date, occurrences: int) -> None:
        world, rng = self.world, self.world.rng
        title, kind, description, hours, hour, age_bands, childcare, seats = template
        starts = world.local(held_on, hour)
        others = [rng.choice(texts.EVENT_LANGUAGES)] if rng.random() < 0.3 else []
        closes_early = rng.random() < 0.2  # some need numbers a day ahead, for the shopping
        fields = {
            "title": title, "kind": EventKind(kind), "description": description, "starts_at": starts,
            "ends_at": starts + timedelta(hours=hours), "place": f"{rng.choice(texts.PLACES)} {place.label}",
            "address": "", "accessibility": rng.choice(texts.ACCESSIBILITY), "languages": ["it", *others],
            "age_bands": age_bands, "childcare": childcare and rng.random() < 0.7, "cost_cents": 0,
            "capacity": rng.choice(seats), "registration_opens_at": None,
            "registration_closes_at": starts - timedelta(days=1) if closes_early else None,
        }
        created = world.attempt(lambda: events.create_events(
            place.group, place.moderator, fields, repeat="weekly" if occurrences > 1 else None,
            occurrences=occurrences))
        for event in created or ():
            self._expect(moment, place, event)

    def _expect(self, moment: datetime, place: Circle, event: Event) -> None:
        """Plan the event's life: registrations, a cancellation now and then, the check-in."""
        world, rng = self.world, self.world.rng
        pool = len(place.members)
        wanted = (event.capacity or pool * 0.08) * rng.lognormvariate(-0.3, 0.45)  # some are full
        for _ in range(min(round(wanted / SEATS_PER_FAMILY), pool // 2 + 1)):
            world.agenda.at(world.between(moment + timedelta(minutes=10), event.registration_closes_at, 1.3),
                            self.register, place, event)
        if rng.random() < 0.03 and event.starts_at - moment > timedelta(days=2):
            world.agenda.at(world.between(moment + timedelta(days=1), event.starts_at - timedelta(hours=3)),
                            self.call_off, place, event)
        if rng.random() < 0.93:  # a few lists are never filled in
            world.agenda.at(event.ends_at + timedelta(hours=rng.uniform(0.1, 30)), self.take_attendance, place, event)

    def send_reminders(self, moment: datetime) -> None:
        events.send_reminders(moment)  # the cron job: tomorrow's families are told

    def register(self, moment: datetime, place: Circle, event: Event) -> None:
        world, rng = self.world, self.world.rng
        if event.cancelled_at is not None:
            return  # its page says so
        # Mostly the network's own families; some come from elsewhere in the Municipio.
        circle = place if rng.random() < 0.85 else rng.choice(world.neighbours[place.neighbourhood.municipio_id])
        taken = self.registered[event.id]
        person = circle.members.pick(rng, lambda someone: someone.id not in taken)
        if person is None:
            return
        adults = 1 if rng.random() < 0.7 else 2
        children = 0 if event.kind == EventKind.MEETING else rng.choice([1, 1, 2, 2, 3])
        registration = world.attempt(lambda: events.register(event.id, person, adults, children))
        if registration is None:
            return
        taken.add(person.id)  # never the same family twice: registering again would reuse the row
        gives_up = 0.2 if registration.status == RegistrationStatus.WAITLISTED else 0.08
        if rng.random() < gives_up and event.starts_at - moment > timedelta(hours=3):
            world.agenda.at(world.between(moment + timedelta(minutes=30), event.starts_at - timedelta(hours=1)),
                            self.cancel, registration, person)

    def cancel(self, _moment: datetime, registration: Registration, person: User) -> None:
        self.world.attempt(lambda: events.cancel_registration(registration.id, person))

    def call_off(self, _moment: datetime, place: Circle, event: Event) -> None:
        world = self.world
        world.attempt(lambda: events.cancel_event(event.id, place.moderator, world.rng.choice(texts.CANCEL_REASONS)))

    def take_attendance(self, moment: datetime, place: Circle, event: Event) -> None:
        """The facilitator goes through the list of confirmed families, one by one."""
        if event.cancelled_at is not None:
            return
        confirmed = db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(Registration.sequence)).all()
        for position, registration in enumerate(confirmed):
            self.world.agenda.at(moment + timedelta(seconds=20 * position), self.mark, place, event, registration)

    def mark(self, _moment: datetime, place: Circle, event: Event, registration: Registration) -> None:
        world, rng = self.world, self.world.rng
        present = rng.random() < PRESENT_SHARE
        mark = Attendance.PRESENT if present else Attendance.ABSENT
        if world.attempt(lambda: events.mark_attendance(registration, place.moderator, mark)) is None:
            return
        # Meeting a family at the door is when a facilitator confirms who they are; at a help desk
        # that is half the point.
        person = registration.user
        chance = 0.5 if event.kind == EventKind.OPEN_DESK else 0.2
        if present and person.verified_at is None and rng.random() < chance:
            accounts.verify_in_person(person, place.moderator)

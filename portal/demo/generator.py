"""Replays a year of a city's participation through the real services, under a simulated clock.

Nothing is written behind the services' backs: every row and every signal is the one a resident's or
facilitator's click would have made, at the moment it would have happened. That is what lets a test
compare the governance dashboard with counts taken straight from the feature tables.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from events import service as events
from events.models import Attendance, Event, EventKind, Registration, RegistrationStatus
from forums import service as forums
from forums.models import Post, PostState, Thread
from portal import db
from portal.accounts import passwords
from portal.accounts import service as accounts
from portal.accounts.models import User
from portal.demo import texts
from portal.groups import service as groups
from portal.groups.models import Group, GroupKind
from portal.places.models import Neighbourhood
from portal.timeutil import simulated_time, utcnow
from proposals import service as proposals
from proposals.models import Proposal, ProposalState, Theme

ADMIN = "demo-admin"
LANGUAGES = ["it"] * 14 + ["ar"] * 3 + ["es"] * 2 + ["en"]
# Newcomers per month relative to the mean: summer holidays and Christmas are quiet.
SEASON = {1: 0.9, 2: 1.0, 3: 1.1, 4: 1.1, 5: 1.1, 6: 0.9, 7: 0.7, 8: 0.35, 9: 1.4, 10: 1.3, 11: 1.2, 12: 0.8}
DOMAIN_ERRORS = (events.EventError, forums.ForumError, proposals.ProposalError, groups.GroupError)


class AlreadyLoaded(Exception):
    pass


@dataclass
class Place:
    neighbourhood: Neighbourhood
    group: Group
    facilitator: User
    residents: list[User] = field(default_factory=list)


@dataclass
class Totals:
    residents: int = 0
    posts: int = 0
    reports: int = 0
    decisions: int = 0
    events: int = 0
    registrations: int = 0
    proposals: int = 0
    supports: int = 0
    answers: int = 0


class Year:
    """The simulation: call `run(progress)`; `progress(days_done)` is told after each day."""

    def __init__(self, residents: int, days: int, seed: int, password: str):
        self.rng = random.Random(seed)
        self.residents_wanted, self.days = residents, days
        self.password = password
        self.end = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
        self.start = self.end - timedelta(days=days)
        self.totals = Totals()
        self.places: list[Place] = []
        self.thematic: list[Group] = []
        self.pending_reports: list[tuple[datetime, Post, Place]] = []
        self.pending_decisions: list[tuple[datetime, Post, Place]] = []
        self.events_to_close: list[tuple[datetime, Event, Place]] = []
        self.proposals_to_review: list[tuple[datetime, int, Place]] = []
        self.proposals_to_answer: list[tuple[datetime, int, Place]] = []
        self.threads: dict[int, list[Thread]] = defaultdict(list)
        self.open_events: dict[int, list[Event]] = defaultdict(list)
        self.open_proposals: dict[int, list[int]] = defaultdict(list)
        self.resident_hash = passwords.hash_password(f"demo resident {seed} {random.Random(seed).random()}")
        self.numbers = iter(range(1, 10**9))

    # --- set-up: staff, with one password a newcomer can use ------------------------------------
    def cast_staff(self) -> None:
        if db.session.scalar(select(User.id).where(User.nickname_key == ADMIN)) is not None:
            raise AlreadyLoaded
        staff_hash = passwords.hash_password(self.password)
        with simulated_time(self.start), db.write_transaction():
            admin = self._person(ADMIN, None, "it", staff_hash)
            accounts.grant_role(admin, "admin")
            neighbourhoods = db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)).all()
            for number in sorted({n.municipio.number for n in neighbourhoods}):
                accounts.grant_role(self._person(f"demo-coord-{number}", None, "it", staff_hash), "coordinator",
                                    municipio_number=number)
            for neighbourhood in neighbourhoods:
                group = db.session.scalar(select(Group).where(Group.neighbourhood_id == neighbourhood.id,
                                                              Group.kind == GroupKind.NEIGHBOURHOOD).order_by(Group.id))
                facilitator = self._person(f"demo-fac-{neighbourhood.slug}"[:30], neighbourhood.id, "it", staff_hash)
                accounts.grant_role(facilitator, "facilitator", group_slug=group.slug)
                self.places.append(Place(neighbourhood, group, facilitator))
            self.thematic = db.session.scalars(select(Group).where(Group.neighbourhood_id.is_(None))).all()

    def _person(self, nickname: str, home_id: int | None, language: str, password_hash: str) -> User:
        return accounts.register(nickname=nickname, password=None, email=None, home_neighbourhood_id=home_id,
                                 language=language, password_hash=password_hash)

    # --- the year, day by day ---------------------------------------------------------------------
    def run(self, progress=lambda days_done: None) -> Totals:
        self.cast_staff()
        arrivals_per_day = self.residents_wanted / self.days / (sum(SEASON.values()) / 12)
        owed = 0.0
        for day_number in range(self.days):
            day = self.start + timedelta(days=day_number)
            owed += arrivals_per_day * SEASON[day.month]
            with db.write_transaction():
                arrivals, owed = int(owed), owed - int(owed)
                self._day(day, arrivals)
            progress(day_number + 1)
        return self.totals

    def _day(self, day: datetime, arrivals: int) -> None:
        clock = [day + timedelta(hours=7)]

        def tick(minutes: float = 7) -> datetime:
            clock[0] += timedelta(minutes=self.rng.uniform(1, minutes))
            return clock[0]

        for _ in range(arrivals):
            self._arrive(tick())
        weekday = day.weekday()
        for place in self.places:
            if weekday < 5 and place.residents and self.rng.random() < 0.5:
                self._verify(place, tick())
            if weekday == 0:
                self._publish_event(place, tick())
            for _ in range(self._how_many(len(place.residents) / 60)):
                self._post(place, tick(3))
            self._register_for_events(place, tick)
            if self.rng.random() < 0.06 and len(place.residents) > 8:
                self._propose(place, tick())
            self._support(place, tick)
        self._due_work(clock[0])
        self._act("close expired", lambda: proposals.close_expired(clock[0]), clock[0])

    def _how_many(self, mean: float) -> int:
        whole = int(mean)
        return whole + (1 if self.rng.random() < mean - whole else 0)

    def _act(self, _what: str, action, moment: datetime):
        """One click, at `moment`: a service refusing it (a full event, a closed proposal) is part of
        life and rolls back only that click."""
        with simulated_time(moment):
            savepoint = db.session.begin_nested()
            try:
                result = action()
            except DOMAIN_ERRORS:
                savepoint.rollback()
                return None
            savepoint.commit()
            return result

    def _active(self, place: Place) -> User:
        """Few very active people, many occasional ones: earlier arrivals weigh more."""
        index = int(len(place.residents) * self.rng.random() ** 2.5)
        return place.residents[min(index, len(place.residents) - 1)]

    # --- people -----------------------------------------------------------------------------------
    def _arrive(self, moment: datetime) -> None:
        weights = [1 + (index % 4) for index in range(len(self.places))]
        place = self.rng.choices(self.places, weights)[0]
        nickname = f"{self.rng.choice(NAMES)}{next(self.numbers)}"
        language = self.rng.choice(LANGUAGES)
        person = self._act("register", lambda: self._person(nickname, place.neighbourhood.id, language,
                                                             self.resident_hash), moment)
        self.totals.residents += 1
        if self.rng.random() < 0.85 and self._act("join", lambda: groups.join(place.group, person),
                                                  moment + timedelta(minutes=5)):
            place.residents.append(person)
        if self.thematic and self.rng.random() < 0.1:
            table = self.rng.choice(self.thematic)
            self._act("join table", lambda: groups.join(table, person), moment + timedelta(minutes=9))

    def _verify(self, place: Place, moment: datetime) -> None:
        person = self.rng.choice(place.residents)
        if person.verified_at is None:
            self._act("verify", lambda: accounts.verify_in_person(person, place.facilitator), moment)

    # --- forums -----------------------------------------------------------------------------------
    def _post(self, place: Place, moment: datetime) -> None:
        author = self._active(place)
        threads = self.threads[place.group.id][-6:]
        if threads and self.rng.random() < 0.65:
            thread = self.rng.choice(threads)
            post = self._act("reply", lambda: forums.reply(thread, author, self.rng.choice(texts.REPLIES)), moment)
        else:
            title, body = self.rng.choice(texts.TOPICS)
            thread = self._act("thread", lambda: forums.start_thread(
                place.group, author, f"{title} ({place.neighbourhood.name})"[:120], body), moment)
            if thread is None:
                return
            self.threads[place.group.id].append(thread)
            post = db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.id).limit(1))
        if post is None:
            return
        self.totals.posts += 1
        if self.rng.random() < 0.04:
            self.pending_reports.append((moment + timedelta(hours=self.rng.uniform(1, 48)), post, place))

    def _report_and_decide(self, moment: datetime, post: Post, place: Place) -> None:
        reporter = self.rng.choice([person for person in place.residents if person.id != post.author_id] or [None])
        if reporter is None:
            return
        if self._act("report", lambda: forums.report(post, reporter, self.rng.choice(
                ["spam", "offensive", "personal_data", "other"])), moment) is None:
            return
        self.totals.reports += 1
        # Facilitators decide within hours, sometimes days: "median time to decide" has a story.
        self.pending_decisions.append((moment + timedelta(hours=self.rng.expovariate(1 / 20)), post, place))

    def _decide(self, moment: datetime, post: Post, place: Place) -> None:
        hide = self.rng.random() < 0.4
        reason = "Contiene dati personali." if hide else "Va bene così."
        decide = forums.hide if hide else forums.restore
        if self._act("decide", lambda: decide(post, place.facilitator, reason) or True, moment):
            self.totals.decisions += 1

    # --- events -----------------------------------------------------------------------------------
    def _publish_event(self, place: Place, moment: datetime) -> None:
        title, kind = self.rng.choice(texts.EVENTS)
        starts = (moment + timedelta(days=self.rng.randint(4, 11))).replace(hour=15, minute=0)
        capacity = None if self.rng.random() < 0.1 else self.rng.choice([8, 10, 12, 15, 20, 25, 30])
        fields = {"title": title, "kind": EventKind(kind), "description": "Aperto a tutte le famiglie del quartiere.",
                  "starts_at": starts, "ends_at": starts + timedelta(hours=2), "place": f"Spazio di quartiere, {place.neighbourhood.name}",
                  "address": "", "accessibility": "Accessibile in carrozzina.", "languages": ["it"],
                  "age_bands": [], "childcare": self.rng.random() < 0.3, "cost_cents": 0, "capacity": capacity,
                  "registration_opens_at": None, "registration_closes_at": None}
        created = self._act("event", lambda: events.create_events(place.group, place.facilitator, fields), moment)
        if not created:
            return
        event = created[0]
        self.totals.events += 1
        self.open_events[place.group.id].append(event)
        if self.rng.random() < 0.03:
            self.events_to_close.append((starts - timedelta(days=2), event, place))  # called off
        else:
            self.events_to_close.append((starts + timedelta(hours=3), event, place))

    def _register_for_events(self, place: Place, tick) -> None:
        for event in list(self.open_events[place.group.id]):
            if not place.residents:
                return
            for _ in range(self._how_many(self.rng.uniform(0.2, 2.2))):
                person = self._active(place)
                moment = tick(2)
                if moment >= event.registration_closes_at:
                    break
                registration = self._act("register", lambda: events.register(
                    event.id, person, self.rng.choice([1, 1, 2]), self.rng.choice([0, 1, 1, 2, 3])), moment)
                if registration is not None:
                    self.totals.registrations += 1
                    if self.rng.random() < 0.05:
                        self._act("cancel", lambda: events.cancel_registration(registration.id, person), tick(30))

    def _close_event(self, moment: datetime, event: Event, place: Place) -> None:
        if event in self.open_events[place.group.id]:
            self.open_events[place.group.id].remove(event)
        if moment < event.starts_at:
            self._act("call off", lambda: events.cancel_event(event.id, place.facilitator, "Maltempo: rinviato."), moment)
            return
        confirmed = db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).all()
        for registration in confirmed:
            mark = Attendance.PRESENT if self.rng.random() < 0.8 else Attendance.ABSENT
            self._act("attendance", lambda: events.mark_attendance(registration, place.facilitator, mark), moment)

    # --- proposals --------------------------------------------------------------------------------
    def _propose(self, place: Place, moment: datetime) -> None:
        author = self._active(place)
        title, summary, theme = self.rng.choice(texts.PROPOSALS)
        fields = {"title": title, "summary": summary, "description": summary, "theme": Theme(theme),
                  "neighbourhood_id": place.neighbourhood.id, "group": None}
        proposal = self._act("draft", lambda: proposals.create_draft(author, fields), moment)
        if proposal is None:
            return
        self.totals.proposals += 1
        if self.rng.random() < 0.85 and self._act(
                "publish", lambda: proposals.take_step(proposal.id, "publish", author), moment + timedelta(hours=1)):
            self.open_proposals[place.neighbourhood.id].append(proposal.id)

    def _support(self, place: Place, tick) -> None:
        for proposal_id in list(self.open_proposals[place.neighbourhood.id]):
            proposal = db.session.get(Proposal, proposal_id)
            if proposal.state != ProposalState.OPEN:
                self.open_proposals[place.neighbourhood.id].remove(proposal_id)
                if proposal.state == ProposalState.THRESHOLD_REACHED:
                    self.proposals_to_review.append((tick() + timedelta(days=self.rng.uniform(1, 6)), proposal_id, place))
                continue
            appeal = self.rng.uniform(0, 2.2)
            for _ in range(self._how_many(appeal)):
                supporter = self.rng.choice(place.residents)
                if supporter.id == proposal.proposer_id:
                    continue  # authors never support their own (the permission rule in views)
                if self._act("support", lambda: proposals.support(proposal_id, supporter), tick(3)) is not None:
                    self.totals.supports += 1

    def _review(self, moment: datetime, proposal_id: int, place: Place) -> None:
        if moment < self.end and self._act("review", lambda: proposals.take_step(proposal_id, "review", place.facilitator), moment):
            self.proposals_to_answer.append((moment + timedelta(days=self.rng.uniform(3, 35)), proposal_id, place))

    def _answer(self, moment: datetime, proposal_id: int, place: Place) -> None:
        decision = "accepted" if self.rng.random() < 0.6 else "not_accepted"
        if moment < self.end and self._act("answer", lambda: proposals.answer(
                proposal_id, place.facilitator, decision, texts.ANSWERS[decision]), moment):
            self.totals.answers += 1

    # --- work that falls due ----------------------------------------------------------------------
    def _due_work(self, now: datetime) -> None:
        for queue, handler in ((self.pending_reports, self._report_and_decide),
                               (self.pending_decisions, self._decide),
                               (self.events_to_close, self._close_event),
                               (self.proposals_to_review, self._review),
                               (self.proposals_to_answer, self._answer)):
            due = sorted((item for item in queue if item[0] <= now), key=lambda item: item[0])
            for item in due:
                queue.remove(item)
                handler(*item)


NAMES = ["Amina", "Luca", "Giulia", "Omar", "Sofia", "Karim", "Chiara", "Maria", "Ahmed", "Elena", "Rosa",
         "Jun", "Fatima", "Marco", "Ana", "Yusuf", "Sara", "Carlos", "Mei", "Olena", "Nadia", "Paolo", "Ines",
         "Rahim", "Aisha", "Davide", "Lucia", "Andrea", "Hana", "Tomas"]

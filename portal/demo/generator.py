"""Replays a year of a city's participation through the real services, under a simulated clock.

Nothing is written behind the services' backs: every row and every signal is the one a resident's
or facilitator's click would have made, at the moment it would have happened, in time order. That
is what lets the governance dashboard be checked against counts taken from the feature tables. A
click the rules refuse (a closed window, a posting limit) simply did not happen, as for a person.

Two acts are left out on purpose: leaving a group and withdrawing a support delete their rows, and
the feature tables could then no longer show what the signals counted.
"""
from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from events import dates
from events import service as events
from forums import service as forums
from portal import db
from portal.accounts import nicknames, passwords
from portal.accounts import service as accounts
from portal.accounts.models import User
from portal.demo import texts
from portal.demo.agenda import Agenda, Crowd
from portal.demo.event_life import EventLife
from portal.demo.forum_life import ForumLife
from portal.demo.proposal_life import ProposalLife
from portal.groups import service as groups
from portal.groups.models import Group, GroupKind
from portal.places.models import Municipio, Neighbourhood
from portal.timeutil import simulated_time, utcnow

ADMIN = "demo-admin"
NICKNAME_MAX = 30
# Residents' languages, among those the portal speaks (portal.i18n): mostly Italian.
LANGUAGE_SHARES = {"it": 72, "ar": 12, "es": 9, "en": 7}
# Newcomers and activity per month, relative to the mean: summer holidays are quiet, September busy.
SEASON = {1: 0.9, 2: 1.0, 3: 1.1, 4: 1.05, 5: 1.1, 6: 0.95, 7: 0.7, 8: 0.3, 9: 1.45, 10: 1.3, 11: 1.15, 12: 0.85}
WEEKDAY = (1.0, 1.0, 1.0, 1.0, 0.95, 0.75, 0.55)
# How large each network is, relative to the others (the big estates count more); the rest are 1.
NETWORK_SIZE = {"giambellino-lorenteggio": 3.0, "quarto-oggiaro": 2.5, "selinunte": 2.5, "lodi-corvetto": 2.5,
                "gratosoglio": 2.0, "barona": 2.0, "viale-monza": 2.0, "padova": 1.8, "stadera": 1.5,
                "bruzzano-comasina": 1.5, "loreto": 1.4, "ponte-lambro": 1.2, "villapizzone": 1.2, "dergano": 1.2}
# When the portal opens, the networks bring the families they already know.
LAUNCH_DAYS, LAUNCH_SHARE = 14, 0.1
# Share of residents who open an account and then hardly do anything.
QUIET_SHARE = 0.3
# Services refuse what their rules forbid with these (ProposalError is a ForumError).
DOMAIN_ERRORS = (events.EventError, forums.ForumError, groups.GroupError)


class AlreadyLoaded(Exception):
    """The demo staff exist: the replay ran here before."""


class NotSeeded(Exception):
    """There are no neighbourhood groups to replay activity in."""


def staff_nickname(prefix: str, slug: str) -> str:
    """`demo-fac-barona`; a long slug is cut at a dash: `demo-fac-giambellino`."""
    nickname = f"{prefix}{slug}"
    while len(nickname) > NICKNAME_MAX and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
        nickname = f"{prefix}{slug}"
    return nickname[:NICKNAME_MAX]


@dataclass(eq=False)
class Circle:
    """A group and the people in it: a neighbourhood's network (with its residents) or a thematic table."""

    group: Group
    moderator: User  # the facilitator; the admin for the city-wide tables
    label: str  # how residents name the place in what they write
    topics: list  # (title, opening posts) to start threads with
    neighbourhood: Neighbourhood | None = None
    coordinator: User | None = None
    size: float = 1.0  # the network's weight among the others
    residents: Crowd = field(default_factory=Crowd)  # living here, members or not
    members: Crowd = field(default_factory=Crowd)
    threads: list = field(default_factory=list)


def is_loaded() -> bool:
    return db.session.scalar(select(User.id).where(User.nickname_key == ADMIN)) is not None


class Replay:
    """`set_up()`, then `run(progress)` replays `days` days ending at the last midnight;
    `progress(days_done)` is told after each."""

    def __init__(self, residents: int, days: int, seed: int, password: str):
        self.rng = random.Random(seed)  # nosec B311 # a replayable demo from a seed, not a secret
        self.residents_wanted, self.password = residents, password
        today = dates.to_local(utcnow()).date()
        self.days = [today - timedelta(days=days - index) for index in range(days)]
        self.start = self.local(self.days[0], 6)
        self.agenda = Agenda()
        self.places: list[Circle] = []
        self.tables: list[Circle] = []
        self.neighbours: dict[int, list[Circle]] = defaultdict(list)  # Municipio id -> its places
        self.refused = 0
        self.nicknames: set[str] = set()
        # Residents cannot sign in: nobody knows this password, not even this program after it ends.
        self.resident_hash = passwords.hash_password(secrets.token_urlsafe(32))
        self.forums, self.events, self.proposals = ForumLife(self), EventLife(self), ProposalLife(self)

    # --- time ---------------------------------------------------------------------------------------
    def local(self, day: date, hours: float) -> datetime:
        """`hours` after midnight of `day` on Milan's clocks, as stored (naive UTC)."""
        return dates.to_utc(datetime.combine(day, time()) + timedelta(hours=hours))

    def moment_on(self, day: date, first: float = 7.5, last: float = 22.0) -> datetime:
        return self.local(day, self.rng.uniform(first, last))

    def between(self, early: datetime, late: datetime, skew: float = 1.0) -> datetime:
        """A waking moment between the two (skew > 1: more of them early on)."""
        late = max(late, early)  # never before `early`: the replay only moves forward
        for _ in range(4):
            moment = early + (late - early) * self.rng.random() ** skew
            if 7 <= dates.to_local(moment).hour < 23:
                break
        return moment

    def pace(self, day: date) -> float:
        """How busy the city is that day, relative to an ordinary one."""
        christmas = (day.month, day.day) >= (12, 23) or (day.month, day.day) <= (1, 6)
        return SEASON[day.month] * WEEKDAY[day.weekday()] * (0.45 if christmas else 1.0)

    # --- clicks -------------------------------------------------------------------------------------
    def attempt(self, click: Callable):
        """One click through a service; a refusal rolls back only that click and returns None."""
        savepoint = db.session.begin_nested()
        try:
            result = click()
        except DOMAIN_ERRORS:
            savepoint.rollback()
            self.refused += 1
            return None
        savepoint.commit()
        return result

    # --- the run ------------------------------------------------------------------------------------
    def run(self, progress: Callable[[int], None] = lambda _days_done: None) -> None:
        """After `set_up`: the days, one transaction each."""
        for index, (day, arrivals) in enumerate(zip(self.days, self._arrivals(), strict=True)):
            self._plan(day, arrivals)
            with db.write_transaction():
                for moment, action, args in self.agenda.until(self.local(day + timedelta(days=1), 0)):
                    with simulated_time(moment):
                        action(moment, *args)
                        # Column defaults (a signal's time, a row's created_at) are taken when rows
                        # are flushed: flush before the clock moves on.
                        db.session.flush()
            progress(index + 1)

    def set_up(self) -> None:
        """The staff, with one password a newcomer can use, and the places they look after."""
        if is_loaded():
            raise AlreadyLoaded
        networks = db.session.execute(
            select(Group, Neighbourhood, Municipio.number)
            .join(Neighbourhood, Neighbourhood.id == Group.neighbourhood_id)
            .join(Municipio, Municipio.id == Neighbourhood.municipio_id)
            .where(Group.kind == GroupKind.NEIGHBOURHOOD).order_by(Neighbourhood.name, Group.id)).all()
        if not networks:
            raise NotSeeded
        staff_hash = passwords.hash_password(self.password)
        with simulated_time(self.start), db.write_transaction():
            admin = self._register(ADMIN, None, "it", staff_hash)
            accounts.grant_role(admin, "admin")
            coordinators = {}
            for number in db.session.scalars(select(Municipio.number).order_by(Municipio.number)):
                coordinators[number] = self._register(f"demo-coord-{number}", None, "it", staff_hash)
                accounts.grant_role(coordinators[number], "coordinator", municipio_number=number, actor=admin)
            for group, neighbourhood, number in networks:
                if self.places and self.places[-1].neighbourhood is neighbourhood:
                    continue  # the neighbourhood's own group is its first
                facilitator = self._register(staff_nickname("demo-fac-", neighbourhood.slug), neighbourhood.id,
                                             "it", staff_hash)
                accounts.grant_role(facilitator, "facilitator", group_slug=group.slug, actor=admin)
                size = NETWORK_SIZE.get(neighbourhood.slug, 1.0) * self.rng.uniform(0.8, 1.25)
                place = Circle(group, facilitator, neighbourhood.name, texts.THREADS, neighbourhood,
                               coordinators[number], size)
                self.places.append(place)
                self.neighbours[neighbourhood.municipio_id].append(place)
            self.tables = [Circle(group, admin, group.name, texts.TABLE_THREADS) for group in db.session.scalars(
                select(Group).where(Group.kind == GroupKind.THEMATIC_TABLE).order_by(Group.id))]
            self.proposals.set_rules()

    def _register(self, nickname: str, home_id: int | None, language: str, password_hash: str) -> User:
        self.nicknames.add(nicknames.fold(nickname))
        return accounts.register(nickname=nickname, password=None, email=None, home_neighbourhood_id=home_id,
                                 language=language, password_hash=password_hash)

    def _arrivals(self) -> list[int]:
        """Newcomers each day: exactly the number asked for; at first the families the networks
        already know, then more as word spreads, fewer in August, at Christmas and at weekends."""
        last = max(len(self.days) - 1, 1)
        weights = [self.pace(day) * (0.5 + index / last) for index, day in enumerate(self.days)]
        launch = sum(weights) * LAUNCH_SHARE / (1 - LAUNCH_SHARE) / min(LAUNCH_DAYS, len(weights))
        weights = [weight + (launch if index < LAUNCH_DAYS else 0) for index, weight in enumerate(weights)]
        total, running, counted, arrivals = sum(weights), 0.0, 0, []
        for weight in weights:
            running += weight
            reached = round(self.residents_wanted * running / total)
            arrivals.append(reached - counted)
            counted = reached
        return arrivals

    def _plan(self, day: date, arrivals: int) -> None:
        """The day's own doings; what follows from them (reports, answers, check-ins) plans itself."""
        for _ in range(arrivals):
            self.agenda.at(self.moment_on(day, 8, 21.5), self._arrive)
        self.agenda.at(self.local(day, 3), self.proposals.close_expired)  # the nightly cron job
        self.agenda.at(self.local(day, 8), self.events.send_reminders)
        pace = self.pace(day)
        for place in self.places:
            self.forums.plan(day, place, pace)
            self.proposals.plan(day, place, pace)
            self.events.plan(day, place, pace)
        for table in self.tables:
            self.forums.plan(day, table, pace)

    # --- people -------------------------------------------------------------------------------------
    def _nickname(self) -> str:
        while True:
            name = self.rng.choice(texts.FIRST_NAMES)
            nickname = self.rng.choice(texts.NICKNAME_SHAPES).format(
                name=name, lower=name.lower(), n=self.rng.randint(1, 999))
            if nicknames.fold(nickname) not in self.nicknames:
                return nickname

    def _arrive(self, moment: datetime) -> None:
        place = self.rng.choices(self.places, [place.size for place in self.places])[0]
        language = self.rng.choices(list(LANGUAGE_SHARES), list(LANGUAGE_SHARES.values()))[0]
        person = self._register(self._nickname(), place.neighbourhood.id, language, self.resident_hash)
        # Few very active people, many occasional ones, and some who only look.
        activity = 0.05 if self.rng.random() < QUIET_SHARE else self.rng.lognormvariate(0, 1)
        place.residents.add(person, activity)
        if self.rng.random() < 0.15:  # signed up at an access point, with the facilitator beside them
            accounts.verify_in_person(person, place.moderator)
        if self.rng.random() < 0.85:
            self.agenda.at(moment + timedelta(minutes=self.rng.uniform(1, 40)), self._join, place, person, activity)
        if self.tables and self.rng.random() < 0.08:
            self.agenda.at(moment + timedelta(days=self.rng.uniform(1, 60)), self._join,
                           self.rng.choice(self.tables), person, activity)

    def _join(self, _moment: datetime, circle: Circle, person: User, activity: float) -> None:
        if self.attempt(lambda: groups.join(circle.group, person)) is not None:
            circle.members.add(person, activity)

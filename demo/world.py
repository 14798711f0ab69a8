"""The replayed city as the lives of forums, events and proposals see it: its places, the clock,
the agenda and the one way to click. The replay (demo.generator) builds it and runs the days;
the lives (demo.*_life) only plan and click in it, so they depend on this module, never on the
replay that drives them."""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from demo.agenda import Agenda, Crowd
from events import dates
from portal import db
from portal.accounts.models import User
from portal.groups.models import Group
from portal.places.models import Neighbourhood
from portal.rules import RuleError
from portal.timeutil import utcnow

# Newcomers and activity per month, relative to the mean: summer holidays are quiet, September busy.
SEASON = {1: 0.9, 2: 1.0, 3: 1.1, 4: 1.05, 5: 1.1, 6: 0.95, 7: 0.7, 8: 0.3, 9: 1.45, 10: 1.3, 11: 1.15, 12: 0.85}
WEEKDAY = (1.0, 1.0, 1.0, 1.0, 0.95, 0.75, 0.55)


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


class World:
    """`days` days ending at the last midnight, `residents` to arrive in them, one seeded chance."""

    def __init__(self, residents: int, days: int, seed: int):
        self.rng = random.Random(seed)  # nosec B311 # a replayable demo from a seed, not a secret
        self.residents_wanted = residents
        today = dates.to_local(utcnow()).date()
        self.days = [today - timedelta(days=days - index) for index in range(days)]
        self.start = self.local(self.days[0], 6)
        self.agenda = Agenda()
        self.places: list[Circle] = []
        self.tables: list[Circle] = []
        self.neighbours: dict[int, list[Circle]] = defaultdict(list)  # Municipio id -> its places
        self.refused = 0

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
        except RuleError:
            savepoint.rollback()
            self.refused += 1
            return None
        savepoint.commit()
        return result

"""The replay's two tools: an agenda that runs things in time order, and crowds to pick people from."""
from __future__ import annotations

import heapq
import itertools
import math
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator
from datetime import datetime

from portal.accounts.models import User


class Agenda:
    """Things to do at given moments, done in time order whatever order they were planned in: a
    report planned for tomorrow afternoon runs after this evening's posts, however it was planned."""

    def __init__(self) -> None:
        self._heap: list = []
        self._order = itertools.count()  # ties keep the planning order: same seed, same replay

    def at(self, moment: datetime, action: Callable, *args) -> None:
        heapq.heappush(self._heap, (moment, next(self._order), action, args))

    def until(self, limit: datetime) -> Iterator[tuple[datetime, Callable, tuple]]:
        """Everything due before `limit`, including what those actions plan on the way."""
        while self._heap and self._heap[0][0] < limit:
            moment, _order, action, args = heapq.heappop(self._heap)
            yield moment, action, args


class Crowd:
    """People and how active each is. Picks favour the few very active; the many occasional
    ones turn up now and then."""

    def __init__(self) -> None:
        self.people: list[User] = []
        self._cumulative: list[float] = []

    def __len__(self) -> int:
        return len(self.people)

    @property
    def weight(self) -> float:
        return self._cumulative[-1] if self._cumulative else 0.0

    def add(self, person: User, weight: float) -> None:
        self.people.append(person)
        self._cumulative.append(self.weight + weight)

    def pick(self, rng: random.Random, accept: Callable[[User], bool] = lambda _person: True,
             tries: int = 8) -> User | None:
        """Someone `accept` takes, or None when the few tried were all unsuitable (already
        registered, the author...): the click simply does not happen."""
        for _ in range(tries if self.people else 0):
            index = bisect_right(self._cumulative, rng.random() * self.weight)
            person = self.people[min(index, len(self.people) - 1)]
            if accept(person):
                return person
        return None


def poisson(rng: random.Random, mean: float) -> int:
    """How many times something happens when it happens `mean` times on average (Knuth)."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count

"""Months and quarters in Milan's time: the buckets every governance figure is counted in.

A signal's moment is stored in UTC; the month of a New Year's Eve event is the month people in Milan
lived it, so bucketing converts to Europe/Rome first. A period is named by its first day.

Weeks are not counted: they do not nest in months, so a week beside its months would let a small
count be worked out by subtraction. A quarter and its months are one system of sums, published
together when the quarter has ended (see `published`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

MILAN = ZoneInfo("Europe/Rome")
UTC = ZoneInfo("UTC")

GRANULARITIES = {"month": _l("Month"), "quarter": _l("Quarter")}
# How many periods a trend chart shows, ending with the chosen one.
TREND_LENGTH = {"month": 12, "quarter": 8}


def local_date(moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(MILAN).date()


def start_of(granularity: str, day: date) -> date:
    if granularity == "month":
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    granularity: str
    start: date

    @classmethod
    def containing(cls, granularity: str, moment: datetime) -> Period:
        return cls(granularity, start_of(granularity, local_date(moment)))

    def shifted(self, steps: int) -> Period:
        return Period(self.granularity, _shift_months(self.start, steps * (3 if self.granularity == "quarter" else 1)))

    @property
    def end(self) -> date:
        """The first day after the period."""
        return self.shifted(1).start

    @property
    def quarter(self) -> Period:
        """The quarter this period is part of: the system of sums it is protected in."""
        return Period("quarter", start_of("quarter", self.start))

    def months(self) -> list[Period]:
        return [Period("month", _shift_months(self.quarter.start, step)) for step in range(3)]

    def published(self, now: datetime) -> bool:
        """Open data and downloads carry a period once its quarter has ended: a month is published
        with its quarter, so that no later figure changes what an earlier one hid."""
        return self.quarter.end <= start_of("quarter", local_date(now))

    def trend(self) -> list[Period]:
        length = TREND_LENGTH[self.granularity]
        return [self.shifted(step) for step in range(1 - length, 1)]

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC, for reading raw signals."""
        def utc(day: date) -> datetime:
            return datetime(day.year, day.month, day.day, tzinfo=MILAN).astimezone(UTC).replace(tzinfo=None)
        return utc(self.start), utc(self.end)

    # --- names: in URLs and exports (stable, not translated) and for people (translated) ---
    @property
    def key(self) -> str:
        if self.granularity == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    def label(self) -> str:
        if self.granularity == "month":
            return format_date(self.start, "LLLL yyyy")
        return str(_l("Q%(number)d %(year)d", number=(self.start.month - 1) // 3 + 1, year=self.start.year))

    def short_label(self) -> str:
        """For a chart's axis, where 12 labels share 320 pixels."""
        if self.granularity == "month":
            return format_date(self.start, "LLL")
        return str(_l("Q%(number)d %(year)d", number=(self.start.month - 1) // 3 + 1, year=self.start.year))


# ASCII digits, as portal.numbers reads them (`\d` takes any script's).
_KEY_PATTERNS = {
    "month": re.compile(r"([0-9]{4})-([0-9]{2})"),
    "quarter": re.compile(r"([0-9]{4})-Q([1-4])"),
}


def parse(granularity: str, key: str) -> Period | None:
    """The period a URL names, or None when it names none (the caller answers 400)."""
    pattern = _KEY_PATTERNS.get(granularity)
    match = pattern.fullmatch(key or "") if pattern else None
    if match is None:
        return None
    year, number = int(match[1]), int(match[2])
    if not 2000 <= year <= 2100:
        return None
    try:
        if granularity == "month":
            return Period("month", date(year, number, 1))
        return Period("quarter", date(year, 3 * (number - 1) + 1, 1))
    except ValueError:
        return None

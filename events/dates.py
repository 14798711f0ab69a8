"""Event times: stored as naive UTC, typed and read in the city's time zone (Europe/Rome), worded
in a reader's language, on pages and in notifications alike."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time, get_datetime_format
from flask_babel import get_locale, get_timezone


def city_zone() -> ZoneInfo:
    # Flask-Babel answers with a pytz zone, which needs localize(); zoneinfo converts with plain
    # datetime arithmetic, summer time included.
    return ZoneInfo(str(get_timezone()))


def to_utc(local: datetime) -> datetime:
    """A wall-clock time typed in the city's zone, as stored: naive UTC."""
    return local.replace(tzinfo=city_zone()).astimezone(UTC).replace(tzinfo=None)


def to_local(utc: datetime) -> datetime:
    """A stored time as the city's wall clock, aware of its zone."""
    return utc.replace(tzinfo=UTC).astimezone(city_zone())


def _date_and_time(date: str, time: str, language: str) -> str:
    return get_datetime_format("medium", locale=language).format(time, date)


def when(starts_at: datetime, language: str | None = None) -> str:
    """"Wed, Jul 1, 2026, 6:00 PM" in the reader's language."""
    language = language or str(get_locale())
    local = to_local(starts_at)
    return _date_and_time(format_skeleton("yMMMEd", local, locale=language),
                          format_time(local, "short", locale=language), language)


def span(starts_at: datetime, ends_at: datetime, language: str | None = None) -> str:
    """The start and end, with the date once when both fall on the same day."""
    language = language or str(get_locale())
    start, end = to_local(starts_at), to_local(ends_at)
    if start.date() != end.date():
        return f"{when(starts_at, language)} – {when(ends_at, language)}"
    times = f"{format_time(start, 'short', locale=language)}–{format_time(end, 'short', locale=language)}"
    return _date_and_time(format_skeleton("yMMMEd", start, locale=language), times, language)

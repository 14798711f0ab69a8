"""Times are stored as naive UTC everywhere (SQLite has no time zones); shown in Europe/Rome by Babel."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)

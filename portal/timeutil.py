"""Times are stored as naive UTC everywhere (SQLite has no time zones); shown in Europe/Rome by Babel."""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

# Set only by `simulated_time`: the demo-data generator replays a year of activity through the real
# services, and every row and signal they write must carry the simulated moment, not today.
_simulated_now: ContextVar[datetime | None] = ContextVar("simulated_now", default=None)


def utcnow() -> datetime:
    simulated = _simulated_now.get()
    if simulated is not None:
        return simulated
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def simulated_time(moment: datetime) -> Iterator[None]:
    """Within the block, utcnow() is `moment` (naive UTC)."""
    token = _simulated_now.set(moment)
    try:
        yield
    finally:
        _simulated_now.reset(token)

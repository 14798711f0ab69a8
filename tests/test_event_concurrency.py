"""A hundred families press "Register" at the same moment, on a real server with four worker
processes: the ten seats go to exactly ten, the waiting list keeps the order the registrations were
committed in, and cancellations promote exactly the next in line. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from events.models import Registration, RegistrationStatus
from events.queries import waitlist_position
from portal import db
from tests.fixtures.server import Visitor
from tests.fixtures.events import (  # noqa: F401 - fixtures
    facilitator,
    make_event,
    notifications,
    public_group,
)

FAMILIES = 100
SEATS = 10


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _line(event) -> list[Registration]:
    db.session.rollback()
    db.session.expire_all()
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.sequence)))


def test_a_hundred_families_register_at_once_for_ten_seats(gunicorn_server, make_event, make_user):
    event = make_event(capacity=SEATS)
    families = [Visitor(gunicorn_server, number, make_user(f"Famiglia{number:03d}").nickname)
                for number in range(FAMILIES)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        sign_in_seconds = _timed(lambda: list(pool.map(Visitor.sign_in, families)))
    for family in families:  # each family opens the event page first, as a person would
        family.token = family.csrf_token(f"/events/{event.id}")

    go = threading.Barrier(FAMILIES)
    latencies = []

    def register(family: Visitor) -> None:
        go.wait()
        started = time.perf_counter()
        status, page = family.open(f"/events/{event.id}/register",
                                    {"adults": "1", "children": "0", "csrf_token": family.token})
        latencies.append(time.perf_counter() - started)
        assert status == 303, (status, page[:500])

    with ThreadPoolExecutor(max_workers=FAMILIES) as pool:
        burst_seconds = _timed(lambda: list(pool.map(register, families)))

    line = _line(event)
    confirmed = [r for r in line if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in line if r.status == RegistrationStatus.WAITLISTED]
    assert (len(confirmed), len(waiting)) == (SEATS, FAMILIES - SEATS)
    # The line is the commit order: numbers 1..100 without gaps or repeats, in the order the rows
    # were inserted (ids) and timed; the first ten in line hold the seats.
    assert [r.sequence for r in line] == list(range(1, FAMILIES + 1))
    assert [r.id for r in line] == sorted(r.id for r in line)
    assert [r.registered_at for r in line] == sorted(r.registered_at for r in line)
    assert confirmed == line[:SEATS]
    assert [waitlist_position(r) for r in waiting] == list(range(1, FAMILIES - SEATS + 1))
    assert len({r.code for r in line}) == FAMILIES

    # Three confirmed families cancel at once: exactly the next three in line are promoted.
    by_user = {family.nickname: family for family in families}
    nickname_of = {r.user_id: r.user.nickname for r in line}
    leaving = confirmed[:3]

    def cancel(registration: Registration) -> None:
        family = by_user[nickname_of[registration.user_id]]
        status, _ = family.post(f"/events/registrations/{registration.id}/cancel", {}, f"/events/{event.id}")
        assert status == 303

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(cancel, leaving))
    after = {r.id: r.status for r in _line(event)}
    promoted = [r.id for r in waiting if after[r.id] == RegistrationStatus.CONFIRMED]
    assert promoted == [r.id for r in waiting[:3]]
    assert sum(status == RegistrationStatus.CONFIRMED for status in after.values()) == SEATS
    assert sorted(n.user_id for n in notifications("event_promoted")) == sorted(r.user_id for r in waiting[:3])

    engine = db.engine().dialect.name
    print(f"\n[{engine}] {FAMILIES} sign-ins over HTTP: {sign_in_seconds:.2f} s; "
          f"{FAMILIES} registrations at once: {burst_seconds:.2f} s wall, latency median "
          f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")

"""Dashboards opened at the same moment, while residents act, fold each signal exactly once: the
portal under gunicorn with four workers, requests released together (tests/fixtures/server.py)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from portal import db
from portal.governance import rollup
from portal.governance.rollup import SignalCount
from portal.signals import Signal
from tests.fixtures.server import signed_in_visitors

READERS = 6
JOINERS = 24


def _folded(kind: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.coalesce(func.sum(SignalCount.signals), 0)).where(
        SignalCount.kind == kind, SignalCount.granularity == "week"))


def test_parallel_dashboards_count_every_signal_once(make_user, gunicorn_server):
    admins = [make_user(f"Admin{n}", role="admin", neighbourhood=None) for n in range(READERS)]
    residents = [make_user(f"Vicina{n}") for n in range(JOINERS)]
    readers = signed_in_visitors(gunicorn_server, admins)
    joiners = signed_in_visitors(gunicorn_server, residents)
    tokens = [joiner.csrf_token("/groups/giambellino-lorenteggio") for joiner in joiners]
    start = threading.Barrier(READERS + JOINERS)

    def read(index: int) -> list[int]:
        start.wait()
        return [readers[index].open("/governance/city?by=week")[0] for _ in range(3)]

    def join(index: int) -> list[int]:
        start.wait()
        return [joiners[index].open("/groups/giambellino-lorenteggio/join", {"csrf_token": tokens[index]})[0]]

    with ThreadPoolExecutor(READERS + JOINERS) as pool:
        reads = [pool.submit(read, index) for index in range(READERS)]
        joins = [pool.submit(join, index) for index in range(JOINERS)]
        assert [future.result() for future in reads] == [[200] * 3] * READERS
        assert [future.result() for future in joins] == [[303]] * JOINERS

    rollup.catch_up()  # anything that committed after the last reader looked
    assert _folded("group.joined") == JOINERS
    assert _folded("account.registered") == READERS + JOINERS
    assert db.session.scalar(select(func.count(Signal.id)).where(Signal.rolled_up.is_(False))) == 0
    before = db.session.execute(select(SignalCount.__table__).order_by(*SignalCount.__table__.primary_key)).all()
    rollup.rebuild()
    assert db.session.execute(select(SignalCount.__table__).order_by(*SignalCount.__table__.primary_key)).all() == before

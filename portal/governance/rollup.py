"""Summaries of the signals table, kept so a dashboard never scans a million signals.

Writers only append signals; `catch_up()` folds the ones not yet counted into three small tables
before a dashboard or export reads them. Deferring the work keeps every act of participation a
single cheap insert, with no counter rows for parallel requests to queue on, and the dashboards
stay exact because each read catches up first. Everything here is derived from signals alone and
can be rebuilt from them (`flask --app portal governance rebuild`).

- signal_counts: per period, place, kind and detail: how many signals, the sum of their values
  and how many were someone's first act of participation.
- signal_actors: which actor keys took part, per period and scope (city, Municipio, neighbourhood);
  only so that people are counted once. Never leaves the database.
- signal_people: the distinct people per period, scope and language, counted from signal_actors.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import Boolean, Date, Integer, String, cast, delete, func, insert, not_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from portal import db
from portal.db import Base
from portal.governance.periods import GRANULARITIES, local_date, start_of
from portal.signals import PARTICIPATION_KINDS, Signal

NOWHERE = 0  # place id for signals without a neighbourhood or Municipio (city-wide tables)
BATCH = 20_000
_ADVISORY_LOCK = 0x636F7274  # "cort": one catch-up at a time on PostgreSQL


class SignalCount(Base):
    __tablename__ = "signal_counts"

    granularity: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    municipio_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    neighbourhood_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    detail: Mapped[str] = mapped_column(String(40), primary_key=True)
    signals: Mapped[int] = mapped_column(Integer, default=0)
    value_total: Mapped[int] = mapped_column(Integer, default=0)
    first_acts: Mapped[int] = mapped_column(Integer, default=0)


class SignalActor(Base):
    __tablename__ = "signal_actors"

    granularity: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    actor_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="")


class SignalPeople(Base):
    __tablename__ = "signal_people"

    granularity: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    people: Mapped[int] = mapped_column(Integer, default=0)
    verified: Mapped[int] = mapped_column(Integer, default=0)


def _insert(model):
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def _lock() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
    else:
        db.begin_write()


def _scopes(municipio_id: int | None, neighbourhood_id: int | None) -> list[tuple[str, int]]:
    scopes = [("city", 0), ("municipio", municipio_id or NOWHERE)]
    if neighbourhood_id:
        scopes.append(("neighbourhood", neighbourhood_id))
    return scopes


def catch_up() -> int:
    """Fold every signal not yet counted into the summaries and commit; returns how many."""
    if db.session.in_transaction():
        db.session.commit()
    _lock()
    folded, touched = 0, set()
    while True:
        rows = db.session.execute(
            select(Signal.id, Signal.at, Signal.kind, Signal.detail, Signal.actor_key, Signal.municipio_id,
                   Signal.neighbourhood_id, Signal.value, Signal.first, Signal.verified, Signal.language)
            .where(not_(Signal.rolled_up)).order_by(Signal.id).limit(BATCH)).all()  # the partial index
        if not rows:
            break
        touched |= _fold(rows)
        ids = [row.id for row in rows]
        for chunk in range(0, len(ids), 1000):
            db.session.execute(update(Signal).where(Signal.id.in_(ids[chunk:chunk + 1000]))
                               .values(rolled_up=True).execution_options(synchronize_session=False))
        folded += len(rows)
    for granularity, period_start in sorted(touched):
        _recount_people(granularity, period_start)
    db.session.commit()
    return folded


def _fold(rows) -> set[tuple[str, date]]:
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    actors: dict[tuple, tuple[bool, str]] = {}
    for row in rows:
        day = local_date(row.at)
        participation = row.kind in PARTICIPATION_KINDS and (row.value is None or row.value > 0)
        for granularity in GRANULARITIES:
            start = start_of(granularity, day)
            total = counts[(granularity, start, row.municipio_id or NOWHERE, row.neighbourhood_id or NOWHERE,
                            row.kind, row.detail)]
            total[0] += 1
            total[1] += row.value or 0
            total[2] += 1 if row.first else 0
            if participation:
                for scope, scope_id in _scopes(row.municipio_id, row.neighbourhood_id):
                    key = (granularity, start, scope, scope_id, row.actor_key)
                    verified_before = actors.get(key, (False, ""))[0]
                    # In id order, so the language kept is the one the person used last.
                    actors[key] = (verified_before or row.verified, row.language)
    if counts:
        statement = _insert(SignalCount)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["granularity", "period_start", "municipio_id", "neighbourhood_id", "kind", "detail"],
            set_={"signals": SignalCount.signals + statement.excluded.signals,
                  "value_total": SignalCount.value_total + statement.excluded.value_total,
                  "first_acts": SignalCount.first_acts + statement.excluded.first_acts}),
            [dict(granularity=g, period_start=s, municipio_id=m, neighbourhood_id=n, kind=k, detail=d,
                  signals=c[0], value_total=c[1], first_acts=c[2])
             for (g, s, m, n, k, d), c in counts.items()])
    if actors:
        statement = _insert(SignalActor)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["granularity", "period_start", "scope", "scope_id", "actor_key"],
            set_={"verified": SignalActor.verified | statement.excluded.verified,
                  "language": statement.excluded.language}),
            [dict(granularity=g, period_start=s, scope=sc, scope_id=i, actor_key=a, verified=v, language=lang)
             for (g, s, sc, i, a), (v, lang) in actors.items()])
    return {(granularity, start) for granularity, start, *_ in actors}


def _recount_people(granularity: str, period_start: date) -> None:
    db.session.execute(delete(SignalPeople).where(SignalPeople.granularity == granularity,
                                                  SignalPeople.period_start == period_start))
    verified = func.sum(cast(SignalActor.verified, Integer))
    db.session.execute(insert(SignalPeople).from_select(
        ["granularity", "period_start", "scope", "scope_id", "language", "people", "verified"],
        select(SignalActor.granularity, SignalActor.period_start, SignalActor.scope, SignalActor.scope_id,
               SignalActor.language, func.count(), verified)
        .where(SignalActor.granularity == granularity, SignalActor.period_start == period_start)
        .group_by(SignalActor.granularity, SignalActor.period_start, SignalActor.scope, SignalActor.scope_id,
                  SignalActor.language)))


def rebuild() -> int:
    """Forget the summaries and fold every signal again; returns how many signals."""
    _lock()
    for model in (SignalCount, SignalActor, SignalPeople):
        db.session.execute(delete(model))
    db.session.execute(update(Signal).values(rolled_up=False))
    db.session.commit()
    return catch_up()


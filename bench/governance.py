"""How fast are the governance dashboards as signals pile up? Prints render times; asserts nothing.

    .venv/bin/python bench/governance.py                  # 10k, 100k and 1M signals on SQLite
    .venv/bin/python bench/governance.py --sizes 10000 --database postgresql+psycopg://postgres@127.0.0.1:5432/cortile_bench

Signals are written straight into the table (a year of them, spread over every neighbourhood, with
the kinds in the proportions the demo data shows), then the summaries catch up once, as they would
after a restore; each dashboard is then rendered through the whole Flask stack, signed in as an admin.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

KINDS = [  # kind, weight, value for each signal, detail
    ("forum.posted", 30, None, ""), ("proposal.supported", 18, None, ""), ("event.registered", 12, 3, ""),
    ("group.joined", 8, None, ""), ("event.attended", 9, 1, ""), ("event.absent", 2, 1, ""),
    ("event.waitlisted", 3, 2, ""), ("account.registered", 4, None, ""), ("forum.reported", 1, None, ""),
    ("forum.moderated", 1, 20_000, "hide"), ("proposal.created", 1, None, "draft"),
    ("proposal.published", 1, None, "open"), ("event.published", 1, 25, ""),
    ("proposal.state_changed", 0.4, None, "threshold_reached"), ("proposal.answered", 0.3, 900_000, "accepted"),
]
RUNS = 5


def fresh_database(url: str | None, workdir: Path) -> str:
    if url is None:
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return url


def add_signals(app, count: int, rng: random.Random, actors: list[str]) -> float:
    from portal import db
    from portal.places.models import Neighbourhood
    from portal.signals import Signal
    from portal.timeutil import utcnow

    started = time.perf_counter()
    with app.app_context():
        places = db.session.execute(select(Neighbourhood.id, Neighbourhood.municipio_id)).all()
        kinds, weights = [k[0] for k in KINDS], [k[1] for k in KINDS]
        by_kind = {k[0]: k for k in KINDS}
        now = utcnow()
        batch = []
        for _ in range(count):
            kind, _weight, value, detail = by_kind[rng.choices(kinds, weights)[0]]
            neighbourhood_id, municipio_id = rng.choice(places) if rng.random() > 0.05 else (None, None)
            batch.append({
                "at": now - timedelta(seconds=rng.random() * 365 * 86400), "kind": kind,
                "actor_key": rng.choice(actors), "neighbourhood_id": neighbourhood_id, "municipio_id": municipio_id,
                "group_id": None, "subject_type": "", "subject_id": None, "value": value, "detail": detail,
                "language": rng.choice("it it it it it ar es en".split()), "verified": rng.random() < 0.3,
                "first": rng.random() < 0.03, "rolled_up": False,
            })
            if len(batch) == 50_000:
                db.session.execute(insert(Signal), batch)
                batch.clear()
        if batch:
            db.session.execute(insert(Signal), batch)
        db.session.commit()
    return time.perf_counter() - started


def timed(function) -> list[float]:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--database", help="a PostgreSQL URL (the database is dropped and created)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="cortile-bench-"))
    os.environ["CORTILE_INSTANCE_PATH"] = str(workdir)
    os.environ["DATABASE_URL"] = fresh_database(args.database, workdir)
    from portal import create_app, db
    from portal.accounts import service
    from portal.governance import rollup
    from portal.migrations import upgrade_to_head
    from portal.places.seed import seed_city

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False  # the benchmark signs in with a bare POST
    with app.app_context():
        upgrade_to_head()
        with db.write_transaction():
            seed_city()
            admin = service.register(nickname="bench-admin", password="a long bench password",
                                     email=None, home_neighbourhood_id=None, language="en")
            service.grant_role(admin, "admin")
    client = app.test_client()
    response = client.post("/login", data={"login": "bench-admin", "password": "a long bench password"})
    assert response.status_code == 303, "could not sign in"

    pages = {
        "city, by month": "/governance/city?by=month",
        "city, by quarter": "/governance/city?by=quarter",
        "Municipio 6, by quarter": "/governance/municipio/6?by=quarter",
        "neighbourhood, by month": "/governance/neighbourhood/barona?by=month",
        "open data, by month": "/open-data?by=month",
        "CSV export, city": "/governance/city/export.csv?by=month",
    }
    rng = random.Random(2026)
    engine = "PostgreSQL" if args.database else "SQLite"
    print(f"Governance dashboards on {engine}; median of {RUNS} renders (min-max), after the summaries caught up.")
    total = 0
    for size in sizes:
        actors = [f"{n:064x}" for n in range(max(500, size // 30))]
        inserted = add_signals(app, size - total, rng, actors)
        total = size
        with app.app_context():
            started = time.perf_counter()
            folded = rollup.catch_up()
            fold_seconds = time.perf_counter() - started
        print(f"\n{size:,} signals (inserted in {inserted:.1f} s; first catch-up folded {folded:,} in {fold_seconds:.1f} s)")
        for label, url in pages.items():
            times = timed(lambda url=url: client.get(url))
            status = client.get(url).status_code
            print(f"  {label:28} {statistics.median(times):7.1f} ms  ({min(times):.1f}-{max(times):.1f})  HTTP {status}")
    print(f"\n(work files in {workdir})")


if __name__ == "__main__":
    main()

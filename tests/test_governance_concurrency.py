"""Dashboards opened at the same moment, while residents act, fold each signal exactly once (the
portal under gunicorn with four workers, requests released together: tests/fixtures/server.py),
and each report is counted from one moment even when residents act while it is being read."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event, func, select

from portal import db
from portal.governance import rollup
from portal.governance.rollup import SignalCount
from portal.groups import service as groups
from portal.groups.models import Group
from portal.signals import Signal
from tests.fixtures.server import signed_in_visitors

READERS = 6
JOINERS = 24


def _folded(kind: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.coalesce(func.sum(SignalCount.signals), 0)).where(
        SignalCount.kind == kind, SignalCount.granularity == "month"))


def test_parallel_dashboards_count_every_signal_once(make_user, gunicorn_server):
    admins = [make_user(f"Admin{n}", role="admin", neighbourhood=None) for n in range(READERS)]
    residents = [make_user(f"Vicina{n}") for n in range(JOINERS)]
    readers = signed_in_visitors(gunicorn_server, admins)
    joiners = signed_in_visitors(gunicorn_server, residents)
    tokens = [joiner.csrf_token("/groups/giambellino-lorenteggio") for joiner in joiners]
    start = threading.Barrier(READERS + JOINERS)

    def read(index: int) -> list[int]:
        start.wait()
        return [readers[index].open("/governance/city?by=month")[0] for _ in range(3)]

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


GIAMBELLINO = "/governance/neighbourhood/giambellino-lorenteggio"


def _giambellino(response) -> tuple[str, list[str]]:
    """Giambellino's active participants and its language rows as its dashboard shows them (this
    month is in progress: it is on the page, never in a download)."""
    page = response.get_data(as_text=True)
    active = re.search(r'Active participants</th>\s*<td class="number[^"]*">([^<]*)</td>', page)[1]
    languages = page[page.index('id="languages"'):]
    languages = languages[:languages.index("</section>")]
    return active, re.findall(r'<td class="number[^"]*">([^<]*)</td>', languages)


def test_a_report_is_counted_from_one_moment_while_residents_act(app, make_app, make_user, as_role, seeded_group):
    """A second connection commits new participants between two of the report's statements (an
    event hook makes it happen exactly there): the report still adds up, as of one moment."""
    group_id = seeded_group("giambellino-lorenteggio").id
    for index in range(4):  # below the threshold of 5: published as "<5"
        with db.write_transaction():
            groups.join(seeded_group("giambellino-lorenteggio"), make_user(f"early{index}"))
    admin = as_role(make_user("Admin", role="admin", neighbourhood=None))
    elsewhere = make_app()  # another connection to the same database
    acted = []

    def residents_act(_connection, _cursor, statement, *_args):
        # Just before the report reads people by language, after it has read the other counts.
        if acted or not statement.lstrip().startswith("SELECT") or "signal_people.language" not in statement:
            return
        acted.append(statement)
        with elsewhere.app_context():
            for index in range(2):
                with db.write_transaction():
                    groups.join(db.session.get(Group, group_id), make_user(f"late{index}"))
            rollup.catch_up()  # another dashboard folds them and commits

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", residents_act)
    try:
        during = admin.get(GIAMBELLINO)
    finally:
        event.remove(engine, "before_cursor_execute", residents_act)
    assert acted, "the report no longer reads languages in a statement of its own"
    assert during.status_code == 200, during.get_data(as_text=True)[:300]
    # Four people when the report began, in every table of it: "<5" and nothing else to see.
    # Four people when the report began, in every table of it: "<5" and nothing else to see.
    assert _giambellino(during) == ("&lt;5", ["&lt;5"])
    # The next report sees all six: no longer "<5" (shown, or hidden where the city's one active
    # place would otherwise give itself away).
    assert _giambellino(admin.get(GIAMBELLINO))[0] in ("6", "·")

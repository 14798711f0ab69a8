"""Places stay exact under real concurrency: 30 residents join a 10-place group at the same moment
through gunicorn with 4 worker processes, on the test database (SQLite or PostgreSQL)."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from portal import db
from portal.groups.models import JoinPolicy, Membership, MembershipStatus, Visibility
from tests.fixtures.server import Visitor

RESIDENTS, CAPACITY = 30, 10


def test_thirty_residents_joining_ten_places_at_once(gunicorn_server, make_group, make_user):
    group = make_group("Dieci posti", join_policy=JoinPolicy.OPEN, visibility=Visibility.PUBLIC,
                       capacity=CAPACITY)
    users = [make_user(f"Neighbour{number:02d}") for number in range(RESIDENTS)]
    residents = [Visitor(gunicorn_server, number, user.nickname) for number, user in enumerate(users)]
    page = f"/groups/{group.slug}"
    everyone_ready = threading.Barrier(RESIDENTS)

    def join(index: int) -> int:
        resident = residents[index]
        resident.sign_in()
        token = resident.csrf_token(page)
        everyone_ready.wait(timeout=120)  # then all press "Join" together
        return resident.open(page + "/join", {"csrf_token": token})[0]

    with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
        statuses = list(pool.map(join, range(RESIDENTS)))
    assert statuses == [303] * RESIDENTS

    db.session.rollback()  # read what the workers committed
    rows = db.session.scalars(select(Membership).where(Membership.group_id == group.id)).all()
    assert sorted(row.user_id for row in rows) == sorted(user.id for user in users)  # one row each
    active = [row for row in rows if row.status == MembershipStatus.ACTIVE]
    waiting = [row for row in rows if row.status == MembershipStatus.WAITING]
    assert (len(active), len(waiting)) == (CAPACITY, RESIDENTS - CAPACITY)
    queue = sorted(row.queued_at for row in waiting)
    assert len(set(queue)) == len(queue), "two people share a place in the line"

    # Each waiting resident reads a different number, 1 to 20, in the order they were queued.
    by_user = {user.id: residents[index] for index, user in enumerate(users)}
    positions = []
    for row in sorted(waiting, key=lambda row: row.queued_at):
        _status, html = by_user[row.user_id].open(page)
        positions.append(int(re.search(r"You are number (\d+) on the waiting list", html).group(1)))
    assert positions == list(range(1, RESIDENTS - CAPACITY + 1))

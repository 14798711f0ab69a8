"""Supports counted exactly under real concurrency: the portal under gunicorn with four worker
processes on the test database (SQLite or PostgreSQL), residents signed in over HTTP, their
requests released at the same instant (the shared harness in tests/fixtures/server.py)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, update

from portal import db
from portal.accounts.models import User
from proposals.models import ProposalState, ProposalStep, Support
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.server import Visitor, signed_in_visitors
from tests.fixtures.proposals import fresh, make_proposal  # noqa: F401 - fixtures

CROWD = 50
PRESSES = 20


def _with_production_hashes(people, hasher) -> None:
    """The fixtures hash cheaply; the server would hash each password again at production cost on
    signing in. One production hash (salted, valid for everyone's shared test password) spares
    it that second hash per person."""
    with db.write_transaction():
        db.session.execute(update(User).where(User.id.in_([person.id for person in people]))
                           .values(password_hash=hasher.hash(PASSWORD)))


def _all_at_once(visitors: list[Visitor], path: str) -> list[int]:
    """Every visitor posts to `path`, released together once each has its page's token."""
    tokens = [visitor.csrf_token(path.rsplit("/", 1)[0]) for visitor in visitors]
    start = threading.Barrier(len(visitors))

    def send(index: int) -> int:
        start.wait()
        return visitors[index].open(path, {"csrf_token": tokens[index]})[0]

    with ThreadPoolExecutor(len(visitors)) as pool:
        return list(pool.map(send, range(len(visitors))))


def _supports(proposal) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal.id))


def test_supports_sent_at_once_are_each_counted_exactly_once(make_user, make_proposal, quick_password_hashing,
                                                             gunicorn_server):
    crowd = [make_user(f"Folla{n}") for n in range(CROWD)]
    proposal = make_proposal(make_user("Author"), threshold=20)
    other = make_proposal(make_user("Other"), threshold=20)
    _with_production_hashes(crowd, quick_password_hashing)
    residents = signed_in_visitors(gunicorn_server, crowd)
    db.session.rollback()

    assert _all_at_once(residents, f"/proposals/{proposal.id}/support") == [303] * CROWD
    # One person pressing twenty times at once: one support, nineteen polite refusals.
    assert sorted(_all_at_once([residents[0]] * PRESSES, f"/proposals/{other.id}/support")) \
        == [303] + [409] * (PRESSES - 1)

    assert _supports(proposal) == CROWD and fresh(proposal).supports_count == CROWD
    assert f"{CROWD} supports" in residents[1].open(f"/proposals/{proposal.id}")[1]
    # The threshold was crossed once, by exactly one of the fifty transactions.
    assert fresh(proposal).state == ProposalState.THRESHOLD_REACHED
    assert db.session.scalar(select(func.count(ProposalStep.id)).where(
        ProposalStep.proposal_id == proposal.id,
        ProposalStep.to_state == ProposalState.THRESHOLD_REACHED)) == 1
    assert _supports(other) == 1 and fresh(other).supports_count == 1

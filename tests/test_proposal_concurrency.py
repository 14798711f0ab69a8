"""Supports counted exactly under real concurrency: the portal under gunicorn with four worker
processes on the test database (SQLite or PostgreSQL), residents signed in over HTTP, their
requests released at the same instant (the shared harness in tests/fixtures/server.py)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select, update

from portal import db
from portal.accounts.models import User
from portal.timeutil import utcnow
from proposals.models import ProposalState, ProposalStep, Support
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.server import Visitor, signed_in_visitors
from tests.fixtures.proposals import fresh, make_proposal, place_id  # noqa: F401 - fixtures

CROWD = 50
PRESSES = 20


def _with_production_hashes(people, hasher) -> None:
    """The fixtures hash cheaply; the server would hash each password again at production cost on
    signing in. One production hash (salted, valid for everyone's shared test password) spares
    it that second hash per person."""
    with db.write_transaction():
        db.session.execute(update(User).where(User.id.in_([person.id for person in people]))
                           .values(password_hash=hasher.hash(PASSWORD)))


def _at_once(posts: list[tuple[Visitor, str, dict]]) -> list[int]:
    """Each (visitor, path, form) is posted, all released together once each has its page's token."""
    tokens = [visitor.csrf_token(path.rsplit("/", 1)[0] or path) for visitor, path, _form in posts]
    start = threading.Barrier(len(posts))

    def send(index: int) -> int:
        visitor, path, form = posts[index]
        start.wait()
        return visitor.open(path, {**form, "csrf_token": tokens[index]})[0]

    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(send, range(len(posts))))


def _all_at_once(visitors: list[Visitor], path: str) -> list[int]:
    """Every visitor posts to `path` at the same instant."""
    return _at_once([(visitor, path, {}) for visitor in visitors])


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


MOVERS = 12


def test_supports_and_moves_sent_at_once_never_count_a_support_from_elsewhere(
        make_user, make_proposal, quick_password_hashing, gunicorn_server):
    """Each resident supports a proposal of their neighbourhood and moves away at the same instant:
    either the support came first and counts for the neighbourhood it was given in, or the move
    came first and the support is refused; never a support given after the move."""
    movers = [make_user(f"Trasloco{n}") for n in range(MOVERS)]
    proposal = make_proposal(make_user("Author"), threshold=100)
    barona = place_id("barona")
    with db.write_transaction():  # they chose their home long ago: each may move once now
        db.session.execute(update(User).where(User.id.in_([m.id for m in movers]))
                           .values(home_changed_at=utcnow() - timedelta(days=60)))
    _with_production_hashes(movers, quick_password_hashing)
    visitors = signed_in_visitors(gunicorn_server, movers)
    move = {"email": "", "home_neighbourhood": str(barona), "language": "en"}
    posts = [post for visitor in visitors
             for post in ((visitor, f"/proposals/{proposal.id}/support", {}), (visitor, "/account", move))]

    answers = _at_once(posts)

    assert answers[1::2] == [303] * MOVERS  # every move went through
    db.session.rollback()
    moved_at = dict(db.session.execute(select(User.id, User.home_changed_at)
                                       .where(User.id.in_([m.id for m in movers]))).all())
    given = db.session.execute(select(Support.user_id, Support.created_at, Support.neighbourhood_id)
                               .where(Support.proposal_id == proposal.id)).all()
    assert len(given) == answers[0::2].count(303) == fresh(proposal).supports_count
    for user_id, created_at, neighbourhood_id in given:
        assert neighbourhood_id == place_id("giambellino-lorenteggio") and created_at < moved_at[user_id]


def test_one_person_changing_neighbourhood_many_times_at_once_changes_it_once(
        make_user, quick_password_hashing, gunicorn_server):
    amina = make_user("Amina")
    with db.write_transaction():
        db.session.execute(update(User).where(User.id == amina.id)
                           .values(home_changed_at=utcnow() - timedelta(days=60)))
    _with_production_hashes([amina], quick_password_hashing)
    [visitor] = signed_in_visitors(gunicorn_server, [amina])
    places = ["barona", "baggio", "loreto", "niguarda", "lambrate", "stadera", "dergano", "padova"]
    answers = _at_once([(visitor, "/account", {"email": "", "home_neighbourhood": str(place_id(slug)),
                                                "language": "en"}) for slug in places])
    assert sorted(answers) == [303] + [422] * (len(places) - 1)
    db.session.rollback()
    home = db.session.scalar(select(User.home_neighbourhood_id).where(User.id == amina.id))
    assert home == place_id(places[answers.index(303)])

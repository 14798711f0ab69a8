"""demo-data replays activity through the real services: every kind of act, inside the replayed
window and in time order, the same for the same seed, refused a second time, with staff who can sign
in; and the governance dashboard's numbers are the numbers the feature tables themselves give.

One replay serves the whole module (each takes seconds), under a fixed "today", so the data does not
depend on the date the tests run.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, union

from events.models import Attendance, Event, Registration, RegistrationStatus
from forums.models import Post, Report
from portal import db
from portal.accounts.models import User
from portal.config import PROJECT_ROOT
from portal.extensions import limiter
from portal.governance.periods import Period
from portal.groups.models import Membership, MembershipRole
from portal.i18n import LANGUAGES
from portal.models import Base
from portal.places.models import Municipio, Neighbourhood
from portal.places.seed import seed_city
from portal.signals import Signal
from portal.timeutil import simulated_time
from proposals.models import Proposal, ProposalState, Support
from tests.fixtures.web import BrowserLikeClient

TODAY = datetime(2026, 6, 10, 9, 30)  # naive UTC, as utcnow() answers
DAYS = 120
# Small, yet large enough for proposals to gather supports, be answered and expire in the window.
ARGS = ["demo-data", "--residents", "700", "--days", str(DAYS), "--seed", "7"]
# Their acts delete the feature rows (a membership, a support), so the demo leaves them out.
LEFT_OUT = {"group.left", "proposal.support_withdrawn"}


@dataclass
class Demo:
    web: Flask
    output: str


def _fresh_city() -> None:
    """An empty database with Milan seeded, as `make run` leaves it before the demo."""
    db.session.rollback()
    with db.engine().begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    with db.write_transaction():
        seed_city()
    limiter.reset()


def _replay(web: Flask, args=ARGS):
    result = web.test_cli_runner().invoke(args=args)
    db.session.rollback()  # read what the command committed
    return result


@pytest.fixture(scope="module")
def demo(_apps):
    web, data = _apps
    with data.app_context():
        with simulated_time(TODAY):
            _fresh_city()
            result = _replay(web)
        assert result.exit_code == 0, result.output
        yield Demo(web, result.output)
        db.session.rollback()


def _documented_kinds() -> set[str]:
    table = (PROJECT_ROOT / "docs" / "signals.md").read_text()
    return {kind for row in table.splitlines() if row.startswith("| `")
            for kind in re.findall(r"`([a-z_]+\.[a-z_]+)`", row.split("|")[1])}


def test_every_documented_kind_of_activity_happens(demo):
    kinds = set(db.session.scalars(select(Signal.kind).distinct()))
    assert _documented_kinds() - LEFT_OUT <= kinds
    assert not kinds & LEFT_OUT
    outcomes = set(db.session.execute(select(Signal.kind, Signal.detail).distinct()))
    for outcome in [("proposal.state_changed", "threshold_reached"), ("proposal.state_changed", "under_review"),
                    ("proposal.state_changed", "expired"), ("proposal.state_changed", "withdrawn"),
                    ("proposal.answered", "accepted"), ("proposal.answered", "not_accepted"),
                    ("forum.moderated", "post.hide"), ("forum.moderated", "post.keep")]:
        assert outcome in outcomes


def test_the_printed_staff_sign_in_works(demo):
    assert "cortile-demo" in demo.output and "demo-coord-6" in demo.output and "demo-fac-barona" in demo.output
    demo.web.test_client_class = BrowserLikeClient
    for nickname, dashboard in [("demo-coord-6", "/governance/municipio/6"),
                                ("demo-fac-barona", "/governance/neighbourhood/barona")]:
        client = demo.web.test_client()
        assert client.post("/login", data={"login": nickname, "password": "cortile-demo"}).status_code == 303
        page = client.get("/governance")  # someone with one place to look after is taken straight there
        assert page.status_code == 302 and page.headers["Location"].startswith(dashboard), nickname
        assert client.get(page.headers["Location"]).status_code == 200


def test_staff_for_every_municipio_and_network(demo):
    staff = set(db.session.scalars(select(User.nickname).where(User.nickname_key.like("demo-%"))))
    municipi = db.session.scalars(select(Municipio.number)).all()
    networks = db.session.scalar(select(func.count(Neighbourhood.id)))
    assert {f"demo-coord-{number}" for number in municipi} <= staff
    assert len([nickname for nickname in staff if nickname.startswith("demo-fac-")]) == networks
    assert max(len(nickname) for nickname in staff) <= 30


def test_residents_are_believable(demo):
    residents = db.session.scalars(select(User).where(User.nickname_key.not_like("demo-%"))).all()
    assert len(residents) == 700
    languages = [person.language for person in residents]
    assert set(languages) <= set(LANGUAGES) and languages.count("it") > len(languages) / 2
    assert 0.1 < sum(person.verified_at is not None for person in residents) / len(residents) < 0.6
    # Few very active people, many occasional: the busiest tenth of authors write a good part of the posts.
    per_author = sorted(db.session.scalars(select(func.count(Post.id)).group_by(Post.author_id)), reverse=True)
    assert sum(per_author[:len(per_author) // 10]) > 0.3 * sum(per_author)
    # Newcomers grow over the period: more in its second half than in its first.
    middle = TODAY - timedelta(days=DAYS / 2)
    early = sum(person.created_at < middle for person in residents)
    assert early < len(residents) - early


def test_events_fill_up_and_some_are_called_off(demo):
    assert db.session.scalar(select(func.count(Event.id)).where(Event.cancelled_at.is_not(None))) > 0
    assert db.session.scalar(select(func.count(Registration.id)).where(
        Registration.status == RegistrationStatus.WAITLISTED)) > 0
    assert db.session.scalar(select(func.count(Registration.id)).where(Registration.promoted_at.is_not(None))) > 0
    # Facilitators plan ahead: every event starts after it was published.
    assert db.session.scalar(select(func.count(Event.id)).where(Event.starts_at <= Event.created_at)) == 0


def test_everything_happened_inside_the_window_in_time_order(demo):
    end = datetime(2026, 6, 9, 22)  # midnight before TODAY in Milan (summer time), in UTC
    start = end - timedelta(days=DAYS)
    first, last = db.session.execute(select(func.min(Signal.at), func.max(Signal.at))).one()
    assert start <= first and last < end
    for column in (User.created_at, Post.created_at, Registration.registered_at, Proposal.created_at,
                   Proposal.answered_at, Registration.attendance_marked_at, Report.created_at):
        earliest, latest = db.session.execute(select(func.min(column), func.max(column))).one()
        assert start <= earliest and latest < end, column
    # Replayed forward: each signal is no earlier than the one written before it.
    times = db.session.scalars(select(Signal.at).order_by(Signal.id)).all()
    assert all(earlier <= later for earlier, later in zip(times, times[1:]))


def test_a_second_run_is_refused(demo):
    users = db.session.scalar(select(func.count(User.id)))
    again = _replay(demo.web, ["demo-data", "--residents", "20", "--days", "7"])
    assert again.exit_code != 0 and "already here" in again.output
    assert db.session.scalar(select(func.count(User.id))) == users


def test_check_says_whether_the_demo_is_loaded(demo):
    assert _replay(demo.web, ["demo-data", "--check"]).exit_code == 0


def _fingerprint() -> dict[str, list]:
    """The data without its ids, codes or hashes, which differ between databases and runs."""
    def rows(*columns, order):
        return [tuple(row) for row in db.session.execute(select(*columns).order_by(order))]

    return {
        "users": rows(User.nickname, User.language, User.created_at, User.verified_at, order=User.id),
        # A proposal's discussion opens with a link to it, which holds its id.
        "posts": [(re.sub(r"/proposals/\d+", "/proposals/#", body), *rest)
                  for body, *rest in rows(Post.body, Post.created_at, Post.state, order=Post.id)],
        "events": rows(Event.title, Event.starts_at, Event.capacity, Event.cancelled_at, order=Event.id),
        "proposals": rows(Proposal.title, Proposal.state, Proposal.supports_count, order=Proposal.id),
        "signals": rows(Signal.kind, Signal.at, Signal.value, Signal.detail, Signal.language, Signal.verified,
                        Signal.first, order=Signal.id),
    }


def test_the_same_seed_gives_the_same_data(demo):
    before = _fingerprint()
    with simulated_time(TODAY):
        _fresh_city()
        assert _replay(demo.web).exit_code == 0
    assert _fingerprint() == before


def _between(column, period: Period):
    start, end = period.utc_bounds()
    return (column >= start) & (column < end)


def _direct(period: Period) -> dict[str, int]:
    """The month's figures counted straight from the feature tables, never from signals."""
    count = lambda model, *where: db.session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    seats = lambda column: db.session.scalar(select(func.coalesce(func.sum(Event.capacity), 0)).where(  # noqa: E731
        _between(column, period)))
    participants = union(
        select(Membership.user_id).where(Membership.role == MembershipRole.MEMBER,
                                         _between(Membership.created_at, period)),
        select(Post.author_id).where(_between(Post.created_at, period)),
        select(Report.reporter_id).where(_between(Report.created_at, period)),
        select(Proposal.proposer_id).where(_between(Proposal.created_at, period)),
        select(Proposal.proposer_id).where(_between(Proposal.published_at, period)),
        select(Support.user_id).where(_between(Support.created_at, period)),
        select(Registration.user_id).where(_between(Registration.registered_at, period)),
        select(Registration.user_id).where(Registration.attendance == Attendance.PRESENT,
                                           _between(Registration.attendance_marked_at, period)),
    ).subquery()
    return {
        "new_residents": count(User, _between(User.created_at, period)),
        "groups_joined": count(Membership, Membership.role == MembershipRole.MEMBER,
                               _between(Membership.created_at, period)),
        "posts": count(Post, _between(Post.created_at, period)),
        "reports": count(Report, _between(Report.created_at, period)),
        "proposals_created": count(Proposal, _between(Proposal.created_at, period)),
        "proposals_answered": count(Proposal, _between(Proposal.answered_at, period)),
        "proposals_accepted": count(Proposal, Proposal.state.in_([ProposalState.ACCEPTED, ProposalState.IN_PROGRESS,
                                                                  ProposalState.DONE]),
                                    _between(Proposal.answered_at, period)),
        "supports": count(Support, _between(Support.created_at, period)),
        "attended": count(Registration, Registration.attendance == Attendance.PRESENT,
                          _between(Registration.attendance_marked_at, period)),
        "seats_offered": seats(Event.created_at) - seats(Event.cancelled_at),
        "active": db.session.scalar(select(func.count()).select_from(participants)),
    }


def test_the_city_dashboard_equals_counts_from_the_feature_tables(demo):
    demo.web.test_client_class = BrowserLikeClient
    admin = demo.web.test_client()
    assert admin.post("/login", data={"login": "demo-admin", "password": "cortile-demo"}).status_code == 303
    compared = 0
    later = TODAY + timedelta(days=30)  # downloads carry a quarter once it has ended: June's then
    with simulated_time(later):
        months = {Period.containing("month", TODAY - timedelta(days=days)) for days in range(0, DAYS, 20)}
        periods = {period for month in months for period in (month, month.quarter)}
        assert all(period.published(later) for period in periods)
        for period in sorted(periods):
            response = admin.get(f"/governance/city/export.csv?by={period.granularity}&period={period.key}")
            assert response.status_code == 200, period.key
            table = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
            shown = {row["indicator"]: row["value"] for row in table if row["place_type"] == "city"}
            for indicator, expected in _direct(period).items():
                if shown[indicator] != "":  # a small city-wide count is hidden like any other
                    assert int(shown[indicator]) == expected, (period.key, indicator)
                    compared += 1
    assert compared >= 20  # most figures were large enough to compare, and published

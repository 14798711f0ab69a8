"""demo-data replays activity through the real services, and the governance dashboard's numbers are
the numbers the feature tables themselves give."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select, union

from events.models import Attendance, Event, Registration
from forums.models import Post, Report
from portal import db
from portal.accounts.models import User
from portal.governance.periods import Period
from portal.groups.models import Membership, MembershipRole
from portal.signals import Signal
from portal.timeutil import utcnow
from proposals.models import Proposal, ProposalState, Support

DAYS = 75


@pytest.fixture
def demo(app, city):
    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "260", "--days", str(DAYS), "--seed", "7"])
    assert result.exit_code == 0, result.output
    return result


def test_demo_data_brings_every_kind_of_activity(demo):
    kinds = set(db.session.scalars(select(Signal.kind).distinct()))
    assert {"account.registered", "account.verified", "group.joined", "forum.posted", "forum.reported",
            "forum.moderated", "event.published", "event.registered", "event.waitlisted", "event.attended",
            "proposal.created", "proposal.published", "proposal.supported"} <= kinds
    assert "demo-coord-6" in demo.output and "cortile-demo" in demo.output


def test_everything_happened_inside_the_replayed_window(demo):
    first, last = db.session.execute(select(func.min(Signal.at), func.max(Signal.at))).one()
    now = utcnow()
    assert now - timedelta(days=DAYS + 1) <= first and last <= now + timedelta(days=1)
    # Events published in the window start after their publication, as a facilitator would plan them.
    assert db.session.scalar(select(func.count(Event.id)).where(Event.starts_at <= Event.created_at)) == 0


def test_a_second_run_is_refused(demo, app):
    again = app.test_cli_runner().invoke(args=["demo-data", "--residents", "20", "--days", "7"])
    assert again.exit_code != 0 and "already here" in again.output


def _between(column, period: Period):
    start, end = period.utc_bounds()
    return (column >= start) & (column < end)


def _direct(period: Period) -> dict[str, int]:
    """The month's figures counted straight from the feature tables, never from signals."""
    count = lambda model, *where: db.session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    seats = lambda column: db.session.scalar(select(func.coalesce(func.sum(Event.capacity), 0)).where(  # noqa: E731
        _between(column, period)))
    participants = union(
        select(Membership.user_id).where(Membership.role == MembershipRole.MEMBER, _between(Membership.created_at, period)),
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
        "proposals_accepted": count(Proposal, Proposal.state == ProposalState.ACCEPTED,
                                    _between(Proposal.answered_at, period)),
        "supports": count(Support, _between(Support.created_at, period)),
        "attended": count(Registration, Registration.attendance == Attendance.PRESENT,
                          _between(Registration.attendance_marked_at, period)),
        "seats_offered": seats(Event.created_at) - seats(Event.cancelled_at),
        "active": db.session.scalar(select(func.count()).select_from(participants)),
    }


def test_the_city_dashboard_equals_counts_from_the_feature_tables(demo, make_user, as_role):
    admin = as_role(make_user("auditor", role="admin", neighbourhood=None))
    compared = 0
    months = {Period.containing("month", utcnow() - timedelta(days=days)) for days in range(0, DAYS, 20)}
    for period in sorted(months):
        response = admin.get(f"/governance/city/export.csv?by=month&period={period.key}")
        shown = {row["indicator"]: row["value"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))
                 if row["place_type"] == "city"}
        direct = _direct(period)
        for indicator, expected in direct.items():
            if shown[indicator] != "":  # a small city-wide count is hidden like any other
                assert int(shown[indicator]) == expected, (period.key, indicator)
                compared += 1
    assert compared >= 15  # most figures were large enough to compare

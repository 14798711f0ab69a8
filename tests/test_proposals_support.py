"""Supporting proposals: who may, until when, the threshold, withdrawing, expiry, following, and
each neighbourhood's settings."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal import db
from portal.audit import AuditEntry
from portal.signals import Signal
from portal.timeutil import utcnow
from proposals import service
from proposals.models import Follow, NeighbourhoodProposalSettings, Proposal, ProposalState, Support
from tests.fixtures.web import text_of
from tests.fixtures.proposals import (  # noqa: F401 - fixtures
    add_supports,
    call,
    close_expired,
    fresh,
    make_proposal,
    notified,
    place_id,
    steps,
    worded,
)

S = ProposalState


def _signals(kind: str) -> int:
    return db.session.scalar(select(func.count(Signal.id)).where(Signal.kind == kind))


def _supports(proposal) -> int:
    return db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal.id))


def _settings(slug: str = "giambellino-lorenteggio", **values) -> None:
    with db.write_transaction():
        db.session.add(NeighbourhoodProposalSettings(neighbourhood_id=place_id(slug), **values))


@pytest.fixture
def resident(make_user):
    return make_user("Resident")


@pytest.fixture
def as_resident(as_role, resident):
    return as_role(resident)


def test_a_resident_supports_once_and_sees_it_counted(make_proposal, as_resident, client):
    proposal = make_proposal()
    response = as_resident.post(f"/proposals/{proposal.id}/support", data={})
    assert response.status_code == 303
    assert fresh(proposal).supports_count == 1 and _supports(proposal) == 1
    assert _signals("proposal.supported") == 1
    page = text_of(as_resident.get(f"/proposals/{proposal.id}"))
    assert "You support this proposal." in page and "1 support of 20 needed" in page
    response = as_resident.post(f"/proposals/{proposal.id}/support", data={})
    assert response.status_code == 409
    assert "You already support this proposal." in text_of(response)
    assert fresh(proposal).supports_count == 1 and _signals("proposal.supported") == 1


def test_a_member_of_the_proposals_group_supports_from_another_neighbourhood(
        make_proposal, make_group, make_user, add_member, as_role):
    group = make_group("Mamme in rete")
    author, member = make_user(), make_user("FromBarona", neighbourhood="barona")
    add_member(author, group)
    add_member(member, group)
    proposal = make_proposal(author, group=group)
    assert as_role(member).post(f"/proposals/{proposal.id}/support", data={}).status_code == 303
    elsewhere = make_user("AlsoBarona", neighbourhood="barona")
    assert as_role(elsewhere).post(f"/proposals/{proposal.id}/support", data={}).status_code == 403
    assert fresh(proposal).supports_count == 1


def test_the_page_says_who_may_support(make_proposal, make_user, as_role, client):
    author = make_user("Author")
    proposal = make_proposal(author)
    assert "Sign in to support" in text_of(client.get(f"/proposals/{proposal.id}"))
    author_page = text_of(as_role(author).get(f"/proposals/{proposal.id}"))
    assert "Authors do not support their own proposal" in author_page
    page = text_of(as_role(make_user(neighbourhood="barona")).get(f"/proposals/{proposal.id}"))
    assert "Residents of Giambellino Lorenteggio can support it." in page
    assert "Support this proposal" in text_of(as_role(make_user()).get(f"/proposals/{proposal.id}"))


def test_reaching_the_threshold_moves_the_proposal_and_tells_everyone(make_proposal, make_user, add_supports,
                                                                      as_resident, resident):
    author = make_user("Author")
    proposal = make_proposal(author, threshold=3)
    earlier = add_supports(proposal, 2)
    as_resident.post(f"/proposals/{proposal.id}/support", data={})
    proposal = fresh(proposal)
    assert (proposal.state, proposal.supports_count) == (S.THRESHOLD_REACHED, 3)
    assert steps(proposal)[-1] == (S.OPEN, S.THRESHOLD_REACHED)
    told = notified("proposal_state")
    assert {n.user_id for n in told} == {author.id, resident.id, *(p.id for p in earlier)}
    assert worded(told[0]).endswith("is now: Threshold reached.")
    assert _signals("proposal.state_changed") == 1
    # Supports keep coming after the threshold; the state does not move again.
    call(service.support, proposal.id, make_user())
    proposal = fresh(proposal)
    assert (proposal.state, proposal.supports_count) == (S.THRESHOLD_REACHED, 4)
    assert len(steps(proposal)) == 2 and _signals("proposal.state_changed") == 1


def test_supports_are_withdrawn_while_the_proposal_is_open(make_proposal, as_resident, resident, make_user):
    proposal = make_proposal(threshold=2)
    call(service.support, proposal.id, resident)
    response = as_resident.post(f"/proposals/{proposal.id}/support/withdraw", data={})
    assert response.status_code == 303
    assert fresh(proposal).supports_count == 0 and _supports(proposal) == 0
    assert _signals("proposal.support_withdrawn") == 1
    response = as_resident.post(f"/proposals/{proposal.id}/support/withdraw", data={})
    assert response.status_code == 409 and "You do not support this proposal." in text_of(response)
    # Once the threshold is reached, supports stay: the network already has it on its table.
    call(service.support, proposal.id, resident)
    call(service.support, proposal.id, make_user())
    assert fresh(proposal).state == S.THRESHOLD_REACHED
    assert "Withdraw my support" not in text_of(as_resident.get(f"/proposals/{proposal.id}"))
    response = as_resident.post(f"/proposals/{proposal.id}/support/withdraw", data={})
    assert response.status_code == 409
    assert "only while the proposal is open for support" in text_of(response)
    assert fresh(proposal).supports_count == 2


def test_no_support_after_the_deadline_even_before_the_command_runs(make_proposal, as_resident):
    proposal = make_proposal()
    with db.write_transaction():
        db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                           .values(deadline_at=utcnow() - timedelta(seconds=1)))
    assert fresh(proposal).state == S.OPEN
    response = as_resident.post(f"/proposals/{proposal.id}/support", data={})
    assert response.status_code == 409
    assert "The time to support this proposal is over." in text_of(response)
    assert _supports(proposal) == 0
    assert "Support this proposal" not in text_of(as_resident.get(f"/proposals/{proposal.id}"))


@pytest.mark.parametrize("state", [S.UNDER_REVIEW, S.ACCEPTED, S.WITHDRAWN, S.EXPIRED, S.DONE])
def test_no_support_once_the_proposal_stopped_collecting(make_proposal, as_resident, state):
    proposal = make_proposal(state=state)
    response = as_resident.post(f"/proposals/{proposal.id}/support", data={})
    assert response.status_code == 409
    assert "This proposal is not collecting supports" in text_of(response)
    assert _supports(proposal) == 0


def test_a_neighbourhood_may_ask_for_people_met_in_person(make_proposal, as_resident, resident, make_user,
                                                         as_role):
    _settings(require_verified=True)
    proposal = make_proposal()
    assert "a facilitator has met you in person" in text_of(as_resident.get(f"/proposals/{proposal.id}"))
    response = as_resident.post(f"/proposals/{proposal.id}/support", data={})
    assert response.status_code == 409
    assert "supports count once a facilitator has met you in person" in text_of(response)
    met = make_user("Met")
    with db.write_transaction():
        db.session.merge(met).verified_at = utcnow()
    assert as_role(met).post(f"/proposals/{proposal.id}/support", data={}).status_code == 303
    assert fresh(proposal).supports_count == 1


# --- expiry ------------------------------------------------------------------------------------

def test_the_command_expires_open_proposals_past_their_deadline(make_proposal, make_user, close_expired,
                                                                add_supports):
    author = make_user("Author")
    past = make_proposal(author, days=-1)
    follower = make_user("Follower")
    call(service.follow, past.id, follower)
    reached = make_proposal(state=S.THRESHOLD_REACHED, days=-1)
    running = make_proposal(days=1)
    assert close_expired() == "Closed 1 expired proposals."
    assert [fresh(p).state for p in (past, reached, running)] == [S.EXPIRED, S.THRESHOLD_REACHED, S.OPEN]
    assert steps(past)[-1] == (S.OPEN, S.EXPIRED)
    assert {n.user_id for n in notified("proposal_state")} == {author.id, follower.id}
    assert worded(notified("proposal_state")[0]).endswith("is now: Expired.")
    assert _signals("proposal.state_changed") == 1
    assert close_expired() == "Closed 0 expired proposals."


# --- following ---------------------------------------------------------------------------------

def test_following_and_unfollowing(make_proposal, as_resident, resident, make_user):
    proposal = make_proposal(make_user("Author"))
    assert as_resident.post(f"/proposals/{proposal.id}/follow", data={}).status_code == 303
    assert as_resident.post(f"/proposals/{proposal.id}/follow", data={}).status_code == 303
    assert db.session.scalar(select(func.count(Follow.id))) == 1
    assert "You follow this proposal." in text_of(as_resident.get(f"/proposals/{proposal.id}"))
    call(service.take_step, proposal.id, "withdraw", db.session.get(type(resident), proposal.proposer_id))
    assert [n.user_id for n in notified("proposal_state")] == [resident.id]
    assert as_resident.post(f"/proposals/{proposal.id}/unfollow", data={}).status_code == 303
    assert db.session.scalar(select(func.count(Follow.id))) == 0


# --- settings ----------------------------------------------------------------------------------

def test_a_coordinator_sets_the_window_and_threshold_for_new_proposals(make_user, as_role, make_proposal):
    coordinator = make_user("Coord", role="coordinator", municipio=6)
    running = make_proposal(threshold=20)
    client = as_role(coordinator)
    assert client.get("/proposals/settings/giambellino-lorenteggio").status_code == 200
    response = client.post("/proposals/settings/giambellino-lorenteggio",
                           data={"support_days": "30", "threshold": "5", "require_verified": "y"})
    assert response.status_code == 303
    row = db.session.scalar(select(NeighbourhoodProposalSettings))
    assert (row.support_days, row.threshold, row.require_verified) == (30, 5, True)
    assert row.updated_by_id == coordinator.id
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) \
        == "proposal_settings.update"
    assert fresh(running).threshold == 20  # running proposals keep their goal
    client.post("/proposals/settings/giambellino-lorenteggio", data={"support_days": "45", "threshold": "5"})
    assert db.session.scalar(select(func.count(NeighbourhoodProposalSettings.id))) == 1
    assert fresh(running).threshold == 20
    author = make_user()
    draft = make_proposal(author, S.DRAFT)
    call(service.take_step, draft.id, "publish", author)
    draft = fresh(draft)
    assert draft.threshold == 5
    assert abs(draft.deadline_at - (utcnow() + timedelta(days=45))) < timedelta(minutes=1)


@pytest.mark.parametrize("data, field, message", [
    ({"support_days": "0", "threshold": "5"}, "support_days", "Enter a number from 1 to 365."),
    ({"support_days": "366", "threshold": "5"}, "support_days", "Enter a number from 1 to 365."),
    ({"support_days": "", "threshold": "5"}, "support_days", "This field is required."),
    ({"support_days": "30", "threshold": "abc"}, "threshold", "Enter a whole number, like 20."),
    ({"support_days": "30", "threshold": "0"}, "threshold", "Enter a number from 1 to 10000."),
])
def test_bad_settings_are_refused_and_nothing_is_saved(make_user, as_role, city, data, field, message):
    client = as_role(make_user("Coord", role="coordinator", municipio=6))
    response = client.post("/proposals/settings/giambellino-lorenteggio", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert db.session.scalar(select(func.count(NeighbourhoodProposalSettings.id))) == 0


def test_the_list_links_coordinators_to_their_neighbourhoods_settings(make_user, as_role, city):
    coordinator_page = as_role(make_user("Coord", role="coordinator", municipio=6)).get("/proposals/")
    html = coordinator_page.get_data(as_text=True)
    assert 'href="/proposals/settings/giambellino-lorenteggio"' in html
    assert 'href="/proposals/settings/barona"' in html
    assert "/proposals/settings/niguarda" not in html
    assert "/proposals/settings/" not in as_role(make_user()).get("/proposals/").get_data(as_text=True)

"""Facilitators hear of what needs them: join requests, reported posts, registrations and
cancellations for their events, proposals waiting for their review. Each goes to the group's (or
the neighbourhood's) facilitators only, never to the person who did it, and links to the page
where they act."""
import pytest
from sqlalchemy import select

from events import service as events
from forums import service as forums
from portal import db
from portal.groups import service as groups
from portal.groups.models import MembershipRole
from portal.notifications.models import Notification
from proposals import service as proposals
from proposals.models import ProposalState
from tests.fixtures.forums import opening_post
from tests.fixtures.proposals import call, worded
from tests.fixtures.web import text_of


def told(user, kind=None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(db.session.scalars(query.where(Notification.kind == kind) if kind else query))


@pytest.fixture
def people(make_user, add_member):
    """For a group: its facilitator, a plain member, and Barona's facilitator (another neighbourhood)."""
    def build(group, facilitator: str = "Giulia") -> dict:
        facilitator = make_user(facilitator)
        add_member(facilitator, group, role=MembershipRole.FACILITATOR)
        member = make_user("Member")
        add_member(member, group)
        far = make_user("FarFacilitator", neighbourhood="barona", role="facilitator", group="barona")
        return {"facilitator": facilitator, "member": member, "far": far}
    return build


def test_a_join_request_reaches_the_groups_facilitators_linked_to_the_requests(
        make_group, people, make_user, make_client, sign_in):
    group = make_group()  # joined on approval
    cast = people(group)
    asking = make_user("Amina")
    call(groups.request_to_join, group, asking, "Ho due bambini.")
    [notification] = told(cast["facilitator"])
    assert notification.kind == "join_requested"
    assert notification.link == f"/groups/{group.slug}/members#requests"
    assert "Amina asks to join Mamme in rete" in worded(notification)
    for person in (cast["member"], cast["far"], asking):
        assert told(person) == []
    page = text_of(sign_in(make_client(), cast["facilitator"]).get(notification.link))
    assert "Amina" in page and "Ho due bambini." in page


def test_a_reported_post_reaches_the_facilitators_once_without_naming_the_reporter(
        make_group, people, make_user, add_member, make_thread, make_client, sign_in):
    group = make_group()
    cast = people(group)
    author, first, second = make_user("Author"), make_user("Reporter"), make_user("Second")
    for person in (author, first, second):
        add_member(person, group)
    post = opening_post(make_thread(group, author, title="Scambio vestiti"))
    call(forums.report, post, first, "offensive")
    call(forums.report, post, second, "spam")  # already in the queue: no second notification
    [notification] = told(cast["facilitator"])
    assert notification.kind == "post_reported"
    assert notification.link == f"/forums/groups/{group.slug}/moderation"
    assert "Scambio vestiti" in worded(notification) and "Reporter" not in worded(notification)
    for person in (cast["member"], cast["far"], author, first, second):
        assert told(person, "post_reported") == []
    page = sign_in(make_client(), cast["facilitator"]).get(notification.link)
    assert page.status_code == 200 and "Scambio vestiti" in text_of(page)


def test_registrations_and_cancellations_reach_the_events_facilitators(
        make_event, public_group, facilitator, people, make_user, enrol):
    cast = people(public_group, "Sara")  # a second facilitator beside the event's author, Giulia
    other = cast["facilitator"]
    event = make_event()
    family = make_user("Amina")
    registration = enrol(event, family, adults=1, children=2)
    call(events.cancel_registration, registration.id, family)
    link = f"/events/{event.id}/attendance"
    for person in (facilitator, other):  # the author, who also facilitates, is told once
        assert [(n.kind, n.link) for n in told(person)] == [("event_registered", link),
                                                           ("event_unregistered", link)]
    assert "Amina signed up for \u201cLaboratorio di lettura\u201d" in worded(told(other)[0])
    for person in (cast["member"], cast["far"], family):
        assert told(person, "event_registered") == told(person, "event_unregistered") == []


def test_a_facilitator_who_cancels_a_place_is_not_told_of_it(make_event, facilitator, make_user, enrol):
    event = make_event()
    registration = enrol(event, make_user("Amina"))
    call(events.cancel_registration, registration.id, facilitator)
    assert told(facilitator, "event_unregistered") == []


def test_a_proposal_reaching_its_threshold_waits_for_the_neighbourhoods_facilitators(
        make_group, people, make_proposal, add_supports, make_user):
    cast = people(make_group())  # a group in the proposal's neighbourhood, Giambellino Lorenteggio
    proposal = make_proposal(threshold=2)
    add_supports(proposal, 1)
    call(proposals.follow, proposal.id, cast["facilitator"])
    call(proposals.support, proposal.id, make_user("LastSupporter"))
    # A follower too, but told once, with what asks for them.
    [notification] = told(cast["facilitator"])
    assert notification.kind == "proposal_to_review"
    assert notification.link == f"/proposals/{proposal.id}"
    assert "waits for your review" in worded(notification)
    for person in (cast["member"], cast["far"]):
        assert told(person, "proposal_to_review") == []
    assert call(proposals.take_step, proposal.id, "review", cast["facilitator"]).state == ProposalState.UNDER_REVIEW

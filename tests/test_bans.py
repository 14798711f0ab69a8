"""What a ban takes back, whichever package gave it: seats and door codes at the group's coming
events (the waiting list moves up exactly as on any cancellation), and notifications about what
the person may no longer read, whether sent after the ban or before it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from events import service as events_service
from events.models import RegistrationStatus
from events.queries import confirmed_seats
from forums import service as forums_service
from portal import db
from portal.audit import AuditEntry
from portal.groups import service as groups_service
from portal.groups.models import JoinPolicy, MembershipRole, Visibility
from portal.notifications import notify
from portal.notifications.models import Notification
from portal.rules import RuleError
from portal.timeutil import utcnow
from proposals import service as proposals_service
from tests.fixtures.events import move_event, registrations, worded
from tests.fixtures.proposals import call
from tests.fixtures.web import text_of

CONFIRMED, WAITLISTED, CANCELLED = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                                    RegistrationStatus.CANCELLED)


@pytest.fixture
def circle(make_group, make_user, add_member):
    """A members-only group, its facilitator Fatima, and two members, Bea (to be banned) and Carla."""
    group = make_group("Mamme in rete", visibility=Visibility.MEMBERS, join_policy=JoinPolicy.APPROVAL)
    fatima, bea, carla = make_user("Fatima"), make_user("Bea"), make_user("Carla")
    add_member(fatima, group, role=MembershipRole.FACILITATOR)
    add_member(bea, group)
    add_member(carla, group)
    return group, fatima, bea, carla


def _ban(as_role, group, facilitator, person):
    response = as_role(facilitator).post(f"/groups/{group.slug}/members/{person.id}/ban",
                                         data={"reason": "Threats"})
    assert response.status_code == 303
    db.session.expire_all()


def _status(event, person):
    return {r.user_id: r.status for r in registrations(event)}[person.id]


# --- seats at the group's events ---------------------------------------------------------------

def test_a_ban_gives_the_persons_seats_to_the_waiting_list(circle, make_event, enrol, as_role):
    group, fatima, bea, carla = circle
    event = make_event(group, capacity=2)
    later = make_event(group, starts_in=timedelta(days=10), capacity=None)
    bea_seat = enrol(event, bea, adults=1, children=1)
    carla_waits = enrol(event, carla)
    enrol(later, bea)
    assert (_status(event, carla), confirmed_seats(event.id)) == (WAITLISTED, 2)

    _ban(as_role, group, fatima, bea)

    assert _status(event, bea) == CANCELLED and _status(later, bea) == CANCELLED
    # Carla moves up through the events' own promotion: told, and the seats add up exactly.
    assert _status(event, carla) == CONFIRMED and confirmed_seats(event.id) == 1
    promoted = db.session.scalars(select(Notification).where(Notification.kind == "event_promoted")).all()
    assert [n.user_id for n in promoted] == [carla_waits.user_id]
    # Bea's door code opens nothing any more.
    assert events_service.confirmed_by_code(event.id, bea_seat.code) is None
    # She is told, once per event, and the cancellations are the facilitator's, in the audit log.
    released = db.session.scalars(select(Notification).where(Notification.kind == "registration_released")
                                  .order_by(Notification.id)).all()
    assert [n.user_id for n in released] == [bea.id, bea.id]
    assert "because you were removed from Mamme in rete" in worded(released[0])
    assert released[0].link == f"/groups/{group.slug}"
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "registration.cancel", AuditEntry.actor_id == fatima.id)) == 2


def test_a_ban_leaves_other_groups_events_and_the_past_alone(circle, make_event, make_group, enrol, as_role,
                                                            add_member):
    group, fatima, bea, _carla = circle
    elsewhere = make_group("Doposcuola", visibility=Visibility.PUBLIC, join_policy=JoinPolicy.OPEN)
    add_member(bea, elsewhere)
    other_group_event = make_event(elsewhere)
    started = make_event(group)
    enrol(other_group_event, bea)
    enrol(started, bea)
    move_event(started, starts_at=utcnow() - timedelta(minutes=30), registration_opens_at=utcnow() - timedelta(days=1),
               registration_closes_at=utcnow() - timedelta(hours=1))

    _ban(as_role, group, fatima, bea)

    assert _status(other_group_event, bea) == CONFIRMED
    assert _status(started, bea) == CONFIRMED  # the attendance list of a session under way stays true


def test_the_events_service_refuses_a_banned_person_whatever_the_view_checked(circle, make_event, enrol):
    """The registration rule is asked again under the event's lock, so a ban committed while a
    sign-up waited for that lock ends it."""
    group, fatima, bea, _carla = circle
    event = make_event(group)
    call(groups_service.ban, group, bea, fatima, reason="Threats")
    with pytest.raises(RuleError, match="Non puoi iscriverti a questo evento."):
        enrol(event, bea)
    assert registrations(event) == []


# --- notifications -----------------------------------------------------------------------------

def _thread_of(group, author, make_thread, age):
    age(author)
    return make_thread(group, author, title="Il pulmino della scuola")


def _shown(client) -> str:
    return text_of(client.get("/notifications/"))


def test_no_reply_notice_reaches_someone_banned_from_a_members_only_group(circle, make_thread, age):
    group, fatima, bea, carla = circle
    thread = _thread_of(group, bea, make_thread, age)
    call(groups_service.ban, group, bea, fatima, reason="Threats")
    age(carla)
    call(forums_service.reply, thread, carla, "Ci sono anch'io")
    # Bea may not read the thread: no notice telling her who replied there and what it is called.
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "reply")) == 0


def test_notices_sent_before_a_ban_are_hidden_after_it(circle, make_thread, age, as_role):
    group, fatima, bea, carla = circle
    thread = _thread_of(group, bea, make_thread, age)
    age(carla)
    call(forums_service.reply, thread, carla, "Ci sono anch'io")
    client = as_role(bea)
    assert "Carla replied in \u201cIl pulmino della scuola\u201d." in _shown(client)
    assert "1 unread" in text_of(client.get("/"))
    notice = db.session.scalar(select(Notification).where(Notification.kind == "reply"))

    call(groups_service.ban, group, bea, fatima, reason="Threats")

    page = _shown(client)
    assert "Il pulmino" not in page and "Carla" not in page
    assert "You were removed from Mamme in rete." in page
    assert "1 unread" in text_of(client.get("/"))  # the ban itself; the reply no longer counts
    assert client.post(f"/notifications/{notice.id}/open").status_code == 404


def test_in_a_public_group_a_banned_author_still_reads_and_is_told(make_group, make_user, add_member,
                                                                   make_thread, age, as_role):
    group = make_group("Cortile aperto", visibility=Visibility.PUBLIC, join_policy=JoinPolicy.OPEN)
    fatima, bea, carla = make_user("Fatima"), make_user("Bea"), make_user("Carla")
    add_member(fatima, group, role=MembershipRole.FACILITATOR)
    add_member(bea, group)
    add_member(carla, group)
    thread = _thread_of(group, bea, make_thread, age)
    call(groups_service.ban, group, bea, fatima, reason="Threats")
    age(carla)
    call(forums_service.reply, thread, carla, "Ci sono anch'io")
    # Anyone may read a public forum, so the notice hides nothing the person cannot see anyway.
    assert "Carla replied" in _shown(as_role(bea))


def test_a_follower_banned_from_a_proposals_group_is_not_told_of_it(circle, make_proposal):
    group, fatima, bea, carla = circle
    proposal = make_proposal(carla, group=group)
    call(proposals_service.follow, proposal.id, bea)
    call(groups_service.ban, group, bea, fatima, reason="Threats")
    call(proposals_service.take_step, proposal.id, "withdraw", carla)
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "proposal_state", Notification.user_id == bea.id)) == 0


def test_notices_about_nothing_in_a_group_are_always_shown(circle, as_role):
    _group, _fatima, bea, _carla = circle
    with db.write_transaction():
        notify(bea.id, "join_approved", "/groups/altro", group="Altro gruppo")
    assert "Altro gruppo" in _shown(as_role(bea))

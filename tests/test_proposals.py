"""Proposals: drafts and co-authors, publishing with a discussion, the steps of the lifecycle,
the official answer and who is told."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forums.models import Post, Thread
from portal import db
from portal.audit import AuditEntry
from portal.groups.models import MembershipStatus, Visibility
from portal.signals import Signal
from portal.timeutil import utcnow
from proposals import service
from proposals.models import Coauthor, NeighbourhoodProposalSettings, Proposal, ProposalState
from tests.fixtures.web import text_of
from tests.fixtures.proposals import (  # noqa: F401 - fixtures
    FORM,
    add_supports,
    call,
    fresh,
    make_proposal,
    notified,
    place_id,
    steps,
    worded,
)

HTMX = {"HX-Request": "true"}
S = ProposalState


def _form(**changes) -> dict:
    data = {**FORM, "neighbourhood": str(place_id("giambellino-lorenteggio")), **changes}
    return {key: value for key, value in data.items() if value is not None}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _signals(kind: str) -> int:
    return db.session.scalar(select(func.count(Signal.id)).where(Signal.kind == kind))


def _error_of(response, field: str) -> str:
    """The message shown next to a field (the element tied to it by aria-describedby)."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


@pytest.fixture
def amina(make_user):
    return make_user("Amina")


@pytest.fixture
def as_amina(client, sign_in, amina):
    return sign_in(client, amina)


# --- drafts ------------------------------------------------------------------------------------

def test_a_resident_saves_a_draft_that_only_its_authors_see(as_amina, amina, as_role, make_user, client):
    response = as_amina.post("/proposals/new", data=_form())
    assert response.status_code == 303
    proposal = db.session.scalar(select(Proposal))
    assert response.headers["Location"] == f"/proposals/{proposal.id}"
    assert (proposal.state, proposal.proposer_id, proposal.title) == (S.DRAFT, amina.id, FORM["title"])
    assert proposal.neighbourhood_id == place_id("giambellino-lorenteggio") and proposal.group_id is None
    assert proposal.published_at is None and proposal.supports_count == 0
    assert steps(proposal) == [(None, S.DRAFT)]
    assert _signals("proposal.created") == 1
    page = text_of(as_amina.get(f"/proposals/{proposal.id}"))
    assert "This is a draft: only its authors can see it." in page
    assert as_role(make_user("Neighbour")).get(f"/proposals/{proposal.id}").status_code == 403
    assert as_role(None).get(f"/proposals/{proposal.id}").status_code == 302
    assert FORM["title"] not in text_of(as_role(None).get("/proposals/"))


def test_the_new_form_starts_in_the_residents_neighbourhood(as_amina):
    page = as_amina.get("/proposals/new").get_data(as_text=True)
    selected = re.search(r'<option selected value="(\d+)">Giambellino Lorenteggio</option>', page)
    assert selected and int(selected.group(1)) == place_id("giambellino-lorenteggio")
    assert '<optgroup label="Municipio 6">' in page


LONG = "x" * 10_001


@pytest.mark.parametrize("changes, field, message", [
    ({"title": "Ciao"}, "title", "Use at least 5 characters."),
    ({"title": "x" * 121}, "title", "Use at most 120 characters."),
    ({"title": "   "}, "title", "This field is required."),
    ({"summary": "x" * 281}, "summary", "Use at most 280 characters."),
    ({"summary": None}, "summary", "This field is required."),
    ({"description": ""}, "description", "This field is required."),
    ({"description": LONG}, "description", "Use at most 10000 characters."),
    ({"theme": "sport"}, "theme", "Choose a theme from the list."),
    ({"theme": ""}, "theme", "This field is required."),
    ({"neighbourhood": ""}, "neighbourhood", "This field is required."),
    ({"neighbourhood": "999999"}, "neighbourhood", "Choose a neighbourhood from the list."),
    ({"neighbourhood": "abc"}, "neighbourhood", "Choose a neighbourhood from the list."),
    ({"group": "1"}, "group", "Choose one of your groups, or none."),
])
def test_bad_proposals_are_refused_next_to_the_field_and_nothing_is_saved(as_amina, changes, field, message):
    response = as_amina.post("/proposals/new", data=_form(**changes))
    assert response.status_code == 422
    assert _error_of(response, field) == message
    assert _count(Proposal) == 0 and _signals("proposal.created") == 0


def test_an_htmx_submission_with_errors_gets_only_the_form(as_amina):
    response = as_amina.post("/proposals/new", data=_form(title=""), headers=HTMX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<form") and "<html" not in body


def test_a_proposal_can_come_from_one_of_the_authors_groups_in_that_neighbourhood(
        as_amina, amina, make_group, add_member):
    group = make_group("Mamme in rete")
    add_member(amina, group)
    assert "Mamme in rete" in as_amina.get("/proposals/new").get_data(as_text=True)
    assert as_amina.post("/proposals/new", data=_form(group=str(group.id))).status_code == 303
    assert db.session.scalar(select(Proposal.group_id)) == group.id


def test_the_group_must_be_of_the_proposals_neighbourhood(as_amina, amina, make_group, add_member):
    group = make_group("Barona solidale", neighbourhood="barona")
    add_member(amina, group)
    response = as_amina.post("/proposals/new", data=_form(group=str(group.id)))
    assert response.status_code == 422
    assert _error_of(response, "group").startswith("This group belongs to another neighbourhood")
    assert _count(Proposal) == 0


def test_authors_change_their_draft_until_it_is_published(as_amina, amina, make_proposal):
    proposal = make_proposal(amina, S.DRAFT)
    assert as_amina.get(f"/proposals/{proposal.id}/edit").status_code == 200
    response = as_amina.post(f"/proposals/{proposal.id}/edit", data=_form(title="Doposcuola la domenica"))
    assert response.status_code == 303
    assert fresh(proposal).title == "Doposcuola la domenica"
    assert as_amina.post(f"/proposals/{proposal.id}/edit", data=_form(title="no")).status_code == 422
    assert fresh(proposal).title == "Doposcuola la domenica"
    published = make_proposal(amina, S.OPEN)
    response = as_amina.post(f"/proposals/{published.id}/edit", data=_form(title="Cambiato dopo"))
    assert response.status_code == 409
    assert "Only drafts can be changed" in text_of(response)
    assert fresh(published).title == FORM["title"]


# --- co-authors --------------------------------------------------------------------------------

def test_a_co_author_is_invited_by_nickname_and_accepts(as_amina, amina, make_proposal, make_user, as_role):
    proposal = make_proposal(amina, S.DRAFT)
    bilal = make_user("Bilal", language="en")
    response = as_amina.post(f"/proposals/{proposal.id}/coauthors", data={"nickname": "  bilal "})
    assert response.status_code == 303
    [invited] = notified("coauthor_invited")
    assert invited.user_id == bilal.id and invited.link == "/proposals/mine"
    assert worded(invited) == f"Amina invited you to co-author the proposal \u201c{FORM['title']}\u201d."
    as_bilal = as_role(bilal)
    # Invited is not yet an author: the draft stays closed, the invitation shows its title.
    assert as_bilal.get(f"/proposals/{proposal.id}").status_code == 403
    assert FORM["title"] in text_of(as_bilal.get("/proposals/mine"))
    response = as_bilal.post(f"/proposals/{proposal.id}/invitation", data={"answer": "accept"})
    assert response.headers["Location"] == f"/proposals/{proposal.id}"
    assert fresh(proposal).is_author(bilal)
    [answered] = notified("coauthor_answered")
    assert answered.user_id == amina.id
    assert worded(answered).endswith("accepted.")
    assert as_bilal.get(f"/proposals/{proposal.id}/edit").status_code == 200
    assert "Bilal" in text_of(as_role(None).get(f"/proposals/{make_proposal(amina, coauthors=[bilal]).id}"))


def test_a_co_author_may_decline(as_amina, amina, make_proposal, make_user, as_role):
    proposal = make_proposal(amina, S.DRAFT)
    bilal = make_user("Bilal")
    call(service.invite_coauthor, proposal.id, amina, "Bilal")
    as_bilal = as_role(bilal)
    response = as_bilal.post(f"/proposals/{proposal.id}/invitation", data={"answer": "decline"})
    assert response.status_code == 303
    assert worded(notified("coauthor_answered")[0]).endswith("declined.")
    assert not fresh(proposal).is_author(bilal)
    assert as_bilal.get(f"/proposals/{proposal.id}").status_code == 403
    # Answered is answered: no second answer, and nobody else finds an invitation here.
    assert as_bilal.post(f"/proposals/{proposal.id}/invitation", data={"answer": "accept"}).status_code == 404
    assert as_role(make_user()).post(f"/proposals/{proposal.id}/invitation",
                                     data={"answer": "accept"}).status_code == 404


@pytest.mark.parametrize("nickname, message", [
    ("Nessuno", "Nobody here uses that nickname. Check how it is written."),
    ("AMINA", "Amina is already an author."),
    ("Bilal", "Bilal has already been invited."),
    ("", "This field is required."),
])
def test_bad_invitations_are_refused_next_to_the_nickname(as_amina, amina, make_proposal, make_user,
                                                          nickname, message):
    proposal = make_proposal(amina, S.DRAFT)
    make_user("Bilal")
    call(service.invite_coauthor, proposal.id, amina, "Bilal")
    response = as_amina.post(f"/proposals/{proposal.id}/coauthors", data={"nickname": nickname})
    assert response.status_code == 422
    assert _error_of(response, "nickname") == message
    assert _count(Coauthor) == 1


def test_co_authors_are_invited_and_accept_only_while_it_is_a_draft(as_amina, amina, make_proposal,
                                                                    make_user, as_role):
    draft = make_proposal(amina, S.DRAFT)
    bilal = make_user("Bilal")
    call(service.invite_coauthor, draft.id, amina, "Bilal")
    call(service.take_step, draft.id, "publish", amina)
    response = as_role(bilal).post(f"/proposals/{draft.id}/invitation", data={"answer": "accept"})
    assert response.headers["Location"] == "/proposals/mine"
    assert not fresh(draft).is_author(bilal)
    assert FORM["title"] not in text_of(as_role(bilal).get("/proposals/mine"))
    make_user("Chiara")
    response = as_amina.post(f"/proposals/{draft.id}/coauthors", data={"nickname": "Chiara"})
    assert response.status_code == 409 and "Only drafts can be changed" in text_of(response)


# --- publishing --------------------------------------------------------------------------------

def test_publishing_opens_the_support_window_and_a_discussion(as_amina, amina, make_proposal, seeded_group,
                                                              make_post, make_user, add_member):
    add_member(amina, seeded_group("giambellino-lorenteggio"))  # the discussion is her own thread
    with db.write_transaction():
        db.session.add(NeighbourhoodProposalSettings(neighbourhood_id=place_id("giambellino-lorenteggio"),
                                                     support_days=10, threshold=3))
    proposal = make_proposal(amina, S.DRAFT)
    page = text_of(as_amina.get(f"/proposals/{proposal.id}/publish"))
    assert "Neighbours can support it for 10 days." in page and "With 3 supports" in page
    assert "A discussion will open in the forum of Giambellino Lorenteggio." in page
    assert as_amina.post(f"/proposals/{proposal.id}/publish", data={}).status_code == 303
    proposal = fresh(proposal)
    assert proposal.state == S.OPEN and proposal.threshold == 3
    assert abs(proposal.deadline_at - (utcnow() + timedelta(days=10))) < timedelta(minutes=1)
    assert steps(proposal) == [(None, S.DRAFT), (S.DRAFT, S.OPEN)]
    assert _signals("proposal.published") == 1
    thread = db.session.get(Thread, proposal.thread_id)
    neighbourhood_group = seeded_group("giambellino-lorenteggio")
    assert (thread.group_id, thread.title) == (neighbourhood_group.id, FORM["title"])
    assert thread.author_id == amina.id
    page = as_amina.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f'href="/forums/threads/{thread.id}"' in page and "Read the discussion: 0 replies" in page
    make_post(thread, make_user())
    assert "Read the discussion: 1 reply" in text_of(as_amina.get(f"/proposals/{proposal.id}"))
    # The thread's opening post links back to the proposal.
    opening = as_amina.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert f'href="/proposals/{proposal.id}"' in opening


def test_a_proposal_of_a_group_is_discussed_in_that_group(amina, make_proposal, make_group, add_member):
    group = make_group("Mamme in rete", visibility=Visibility.PUBLIC)
    add_member(amina, group)
    proposal = make_proposal(amina, S.DRAFT, group=group)
    call(service.take_step, proposal.id, "publish", amina)
    assert db.session.get(Thread, fresh(proposal).thread_id).group_id == group.id


def test_publishing_tells_the_co_authors(amina, make_proposal, make_user):
    bilal = make_user("Bilal")
    proposal = make_proposal(amina, S.DRAFT, coauthors=[bilal])
    call(service.take_step, proposal.id, "publish", amina)
    [told] = notified("proposal_state")
    assert told.user_id == bilal.id
    assert worded(told) == f"The proposal \u201c{FORM['title']}\u201d is now: Open for support."


def test_when_the_discussion_cannot_open_nothing_is_published(as_amina, amina, make_proposal, monkeypatch,
                                                             seeded_group, add_member):
    from forums import service as forum_service

    add_member(amina, seeded_group("giambellino-lorenteggio"))

    monkeypatch.setattr(forum_service, "POSTS_PER_WINDOW", 0)
    monkeypatch.setattr(forum_service, "NEW_ACCOUNT_POSTS", 0)
    proposal = make_proposal(amina, S.DRAFT)
    response = as_amina.post(f"/proposals/{proposal.id}/publish", data={})
    assert response.status_code == 422
    assert "The discussion could not be opened" in text_of(response)
    assert fresh(proposal).state == S.DRAFT and _count(Thread) == 0


def _threads_in(group) -> int:
    return db.session.scalar(select(func.count(Thread.id)).where(Thread.group_id == group.id))


@pytest.mark.parametrize("status", [MembershipStatus.BANNED, MembershipStatus.MUTED])
def test_someone_kept_out_of_the_neighbourhood_forum_publishes_without_a_thread_there(
        status, make_user, make_proposal, seeded_group, add_member, make_post, sign_in, client):
    barona = seeded_group("barona")
    person = make_user("Kept", neighbourhood="barona")
    add_member(person, barona, status, muted_until=utcnow() + timedelta(days=3) if status == MembershipStatus.MUTED else None)
    proposal = make_proposal(person, S.DRAFT, neighbourhood="barona")
    sign_in(client, person)
    page = text_of(client.get(f"/proposals/{proposal.id}/publish"))
    assert "No discussion will open in the forum of Barona" in page and "Join Barona" not in page
    assert client.post(f"/proposals/{proposal.id}/publish", data={}).status_code == 303
    proposal = fresh(proposal)
    # Published all the same (a resident's proposal is the neighbourhood's, not the group's) ...
    assert proposal.state == S.OPEN and proposal.thread_id is None
    # ... but the forum that keeps them out gets no thread of theirs, so no replies to be told of.
    assert _threads_in(barona) == 0
    assert "Read the discussion" not in text_of(client.get(f"/proposals/{proposal.id}"))


def test_a_proposal_of_a_members_only_group_its_author_left_opens_no_thread_there(
        amina, make_proposal, make_group, add_member):
    group = make_group("Mamme in rete", visibility=Visibility.MEMBERS)
    membership = add_member(amina, group)
    proposal = make_proposal(amina, S.DRAFT, group=group)
    with db.write_transaction():
        db.session.delete(db.session.merge(membership))
    call(service.take_step, proposal.id, "publish", amina)
    assert fresh(proposal).state == S.OPEN and fresh(proposal).thread_id is None
    assert _threads_in(group) == 0


def test_a_resident_who_never_joined_the_neighbourhood_group_publishes_and_is_offered_to_join(
        as_amina, amina, make_proposal, seeded_group):
    proposal = make_proposal(amina, S.DRAFT)
    page = as_amina.get(f"/proposals/{proposal.id}/publish")
    assert "No discussion will open in the forum of Giambellino Lorenteggio" in text_of(page)
    assert "Join Giambellino Lorenteggio first if you want one." in text_of(page)
    assert 'href="/groups/giambellino-lorenteggio"' in page.get_data(as_text=True)
    assert as_amina.post(f"/proposals/{proposal.id}/publish", data={}).status_code == 303
    assert fresh(proposal).state == S.OPEN and _threads_in(seeded_group("giambellino-lorenteggio")) == 0


def test_a_members_only_neighbourhood_group_is_not_where_a_public_proposal_is_discussed(
        amina, make_proposal, seeded_group, add_member):
    group = seeded_group("giambellino-lorenteggio")
    add_member(amina, group)
    with db.write_transaction():
        db.session.merge(group).visibility = Visibility.MEMBERS
    proposal = make_proposal(amina, S.DRAFT)
    call(service.take_step, proposal.id, "publish", amina)
    assert fresh(proposal).state == S.OPEN and fresh(proposal).thread_id is None


def test_the_discussion_links_to_the_proposal_in_the_forums_language(
        amina, make_proposal, seeded_group, add_member):
    add_member(amina, seeded_group("giambellino-lorenteggio"))
    proposal = make_proposal(amina, S.DRAFT)
    call(service.take_step, proposal.id, "publish", amina)  # amina's request is in English
    opening = db.session.scalar(select(Post.body).where(Post.thread_id == fresh(proposal).thread_id))
    assert f"[Leggi tutta la proposta](/proposals/{proposal.id})" in opening


# --- the lifecycle -----------------------------------------------------------------------------

@pytest.fixture
def steward(make_user):
    """A facilitator of the neighbourhood's own group: they answer for the neighbourhood."""
    return make_user("Giulia", role="facilitator", group="giambellino-lorenteggio")


def test_the_whole_lifecycle_is_told_and_kept_in_the_history(amina, make_proposal, make_user, add_supports,
                                                             steward, as_role, client):
    bilal, follower = make_user("Bilal"), make_user("Follower")
    proposal = make_proposal(amina, S.DRAFT, coauthors=[bilal])
    call(service.take_step, proposal.id, "publish", amina)
    call(service.follow, proposal.id, follower)
    with db.write_transaction():
        db.session.get(Proposal, proposal.id).threshold = 3
    supporters = add_supports(proposal, 2)
    third = make_user("Third")
    as_role(third).post(f"/proposals/{proposal.id}/support", data={})
    assert fresh(proposal).state == S.THRESHOLD_REACHED
    as_steward = as_role(steward)
    response = as_steward.post(f"/proposals/{proposal.id}/review", data={"note": "Ne parliamo martedì"})
    assert response.status_code == 303
    response = as_steward.post(f"/proposals/{proposal.id}/answer",
                               data={"decision": "accepted", "answer": "Sì: la **biblioteca** offre la sala"})
    assert response.status_code == 303
    as_steward.post(f"/proposals/{proposal.id}/start", data={})
    as_steward.post(f"/proposals/{proposal.id}/finish", data={})
    proposal = fresh(proposal)
    assert proposal.state == S.DONE and proposal.answered_by_id == steward.id
    assert steps(proposal) == [(None, S.DRAFT), (S.DRAFT, S.OPEN), (S.OPEN, S.THRESHOLD_REACHED),
                               (S.THRESHOLD_REACHED, S.UNDER_REVIEW), (S.UNDER_REVIEW, S.ACCEPTED),
                               (S.ACCEPTED, S.IN_PROGRESS), (S.IN_PROGRESS, S.DONE)]
    # Everyone concerned is told of the answer, once each; the steward who gave it is not.
    everyone = {amina.id, bilal.id, follower.id, third.id, *(p.id for p in supporters)}
    answered = notified("proposal_answered")
    assert sorted(n.user_id for n in answered) == sorted(everyone)
    assert worded(answered[0]) == f"The proposal \u201c{FORM['title']}\u201d received its answer: Accepted."
    assert _signals("proposal.answered") == 1 and _signals("proposal.state_changed") == 4
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.subject_id == proposal.id)) \
        == "proposal.answer"
    page = client.get(f"/proposals/{proposal.id}")
    html = page.get_data(as_text=True)
    assert "Sì: la <strong>biblioteca</strong> offre la sala" in html
    history = text_of(page).split("History", 1)[1]
    assert history.index("Threshold reached") < history.index("Under review") < history.index("Done")
    assert "automatically" in history and "Giulia" in history and "Ne parliamo martedì" in history


@pytest.mark.parametrize("data, field, message", [
    ({"decision": "accepted", "answer": "  "}, "answer", "Write the answer: families read why."),
    ({"decision": "maybe", "answer": "Forse"}, "decision", "Choose accepted or not accepted."),
    ({"decision": "", "answer": "Forse"}, "decision", "This field is required."),
    ({"decision": "accepted", "answer": LONG}, "answer", "Use at most 10000 characters."),
])
def test_an_answer_needs_a_decision_and_its_reasons(amina, make_proposal, steward, as_role, data, field,
                                                    message):
    proposal = make_proposal(amina, S.UNDER_REVIEW)
    response = as_role(steward).post(f"/proposals/{proposal.id}/answer", data=data)
    assert response.status_code == 422
    assert _error_of(response, field) == message
    assert fresh(proposal).state == S.UNDER_REVIEW and fresh(proposal).answer == ""


def test_the_answer_is_sanitised_markdown(amina, make_proposal, steward, client):
    proposal = make_proposal(amina, S.UNDER_REVIEW)
    call(service.answer, proposal.id, steward, "not_accepted",
         'No, *per ora*. <script>alert(1)</script> [x](javascript:alert(1)) <b hx-get="/x">b</b>')
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    answer = html.split('class="user-text" hx-disable>', 2)[-1].split("</div>")[0]
    assert "<em>per ora</em>" in answer
    assert "<script" not in answer and 'href="javascript' not in answer and "<b hx-get" not in answer
    assert "&lt;script&gt;" in answer
    assert fresh(proposal).state == S.NOT_ACCEPTED


@pytest.mark.parametrize("state", [S.DRAFT, S.OPEN, S.THRESHOLD_REACHED])
def test_authors_withdraw_a_proposal_until_it_is_under_review(amina, make_proposal, as_role, state):
    proposal = make_proposal(amina, state)
    response = as_role(amina).post(f"/proposals/{proposal.id}/withdraw", data={"note": "Ci siamo trasferiti"})
    assert response.status_code == 303
    assert fresh(proposal).state == S.WITHDRAWN
    assert steps(proposal)[-1] == (state, S.WITHDRAWN)


def test_a_withdrawn_draft_stays_private(amina, make_proposal, make_user, as_role):
    proposal = make_proposal(amina, S.DRAFT)
    call(service.take_step, proposal.id, "withdraw", amina)
    assert as_role(make_user()).get(f"/proposals/{proposal.id}").status_code == 403
    assert as_role(amina).get(f"/proposals/{proposal.id}").status_code == 200
    assert FORM["title"] not in text_of(as_role(None).get("/proposals/?state=withdrawn"))


# Each step from a state it does not start from: the person may take the step, not now.
@pytest.mark.parametrize("state, move", [
    (S.UNDER_REVIEW, "withdraw"), (S.ACCEPTED, "withdraw"), (S.OPEN, "publish"), (S.OPEN, "review"),
    (S.UNDER_REVIEW, "start"), (S.NOT_ACCEPTED, "start"), (S.ACCEPTED, "finish"), (S.DONE, "finish"),
    (S.EXPIRED, "review"), (S.WITHDRAWN, "withdraw"),
])
def test_steps_from_the_wrong_state_are_refused(amina, make_proposal, steward, as_role, state, move):
    proposal = make_proposal(amina, state)
    person = steward if service.MOVES[move].rule == "proposal.steward" else amina
    response = as_role(person).post(f"/proposals/{proposal.id}/{move}", data={})
    assert response.status_code == 409
    assert "This cannot be done while the proposal is" in text_of(response)
    assert fresh(proposal).state == state


@pytest.mark.parametrize("state", [S.OPEN, S.ACCEPTED, S.DONE])
def test_only_a_proposal_under_review_is_answered(amina, make_proposal, steward, as_role, state):
    proposal = make_proposal(amina, state)
    response = as_role(steward).post(f"/proposals/{proposal.id}/answer",
                                     data={"decision": "accepted", "answer": "Sì"})
    assert response.status_code == 409 and fresh(proposal).state == state


def test_a_step_note_is_limited_and_shown_as_plain_text(amina, make_proposal, steward, as_role, client):
    proposal = make_proposal(amina, S.THRESHOLD_REACHED)
    response = as_role(steward).post(f"/proposals/{proposal.id}/review", data={"note": "x" * 501})
    assert response.status_code == 422 and _error_of(response, "note") == "Use at most 500 characters."
    as_role(steward).post(f"/proposals/{proposal.id}/review", data={"note": "<b>Martedì</b>"})
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "&lt;b&gt;Martedì&lt;/b&gt;" in html


def test_the_page_offers_each_person_only_their_steps(amina, make_proposal, steward, as_role, make_user):
    proposal = make_proposal(amina, S.THRESHOLD_REACHED)
    author_page = text_of(as_role(amina).get(f"/proposals/{proposal.id}"))
    steward_page = text_of(as_role(steward).get(f"/proposals/{proposal.id}"))
    resident_page = text_of(as_role(make_user()).get(f"/proposals/{proposal.id}"))
    assert "Withdraw the proposal" in author_page and "Start the review" not in author_page
    assert "Start the review" in steward_page and "Withdraw the proposal" not in steward_page
    assert "What you can do" not in resident_page

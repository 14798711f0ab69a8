"""Reports and moderation: three reports hide a post until a facilitator decides; hide, restore,
delete, lock and pin, each audited, told to the author with its reason and to the reporters as an
outcome; the queues of a group and of a Municipio."""
import re
import threading

import pytest
from flask import current_app
from sqlalchemy import func, select

from forums.models import Post, PostState, Report, Thread
from portal import db
from portal.audit import AuditEntry
from portal.groups.models import Visibility
from portal.notifications.models import Notification
from portal.signals import Signal
from tests.fixtures.forums import opening_post
from tests.fixtures.web import text_of

HTMX = {"HX-Request": "true"}


@pytest.fixture
def club(make_group, cast):
    group = make_group("Mamme in rete", visibility=Visibility.MEMBERS)
    return group, cast(group)


@pytest.fixture
def reporters(club, make_user, add_member):
    """Three more members, to report."""
    group, _ = club
    people = [make_user(f"Reporter{n}") for n in range(3)]
    for person in people:
        add_member(person, group)
    return people


@pytest.fixture
def reported_post(club, make_thread, make_post):
    """A reply by the member in a thread the facilitator started."""
    group, people = club
    thread = make_thread(group, people["facilitator"], title="Festa di quartiere")
    return make_post(thread, people["member"], body="Compra qui: spam.example")


def _report(as_role, person, post, reason="spam", note=""):
    return as_role(person).post(f"/forums/posts/{post.id}/report", data={"reason": reason, "note": note})


def _kinds(user):
    return db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def _moderate(client, post, action, reason="", **headers):
    return client.post(f"/forums/moderation/posts/{post.id}",
                       data={f"post{post.id}-action": action, f"post{post.id}-reason": reason},
                       headers=headers)


def _state(post):
    return db.session.get(Post, post.id).state


# --- reports -----------------------------------------------------------------------------------

def test_two_reports_do_not_hide_a_post(reporters, reported_post, as_role):
    for person in reporters[:2]:
        assert _report(as_role, person, reported_post).status_code == 303
    assert _state(reported_post) == PostState.VISIBLE
    assert db.session.scalar(select(func.count(Signal.id)).where(Signal.kind == "forum.reported")) == 2


def test_three_reports_from_different_members_hide_it_until_a_facilitator_decides(
        club, reporters, reported_post, as_role):
    group, people = club
    for person, reason in zip(reporters, ["spam", "offensive", "spam"]):
        assert _report(as_role, person, reported_post, reason).status_code == 303
    post = db.session.get(Post, reported_post.id)
    assert post.state == PostState.HIDDEN and post.moderated_by_id is None
    assert _kinds(people["member"]) == ["post_hidden_by_reports"]
    page = text_of(as_role(people["muted"]).get(f"/forums/threads/{post.thread_id}"))
    assert "hidden after several reports" in page and "spam.example" not in page
    # Already hidden: nobody else can report it until a facilitator decides.
    assert _report(as_role, people["muted"], post).status_code == 403


def test_simultaneous_reports_hide_the_post_exactly_once(reporters, reported_post, make_client,
                                                         sign_in):
    """The post's row lock makes reports take turns: whichever arrives third hides the post."""
    data_app = current_app._get_current_object()
    clients = [sign_in(make_client(), person) for person in reporters]
    barrier = threading.Barrier(len(clients))
    url = f"/forums/posts/{reported_post.id}/report"  # read here: the test's session is not shared
    statuses = []

    def report(client):
        with data_app.app_context():  # the test client tidies the test's session after a request
            token = client.csrf_token()
            barrier.wait()
            statuses.append(client.post(url, data={"reason": "spam", "csrf_token": token},
                                        csrf=False).status_code)

    workers = [threading.Thread(target=report, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    db.session.rollback()  # read what the requests wrote
    assert statuses == [303, 303, 303]
    assert _state(reported_post) == PostState.HIDDEN
    assert db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.kind == "post_hidden_by_reports")) == 1


def test_a_member_reports_a_post_once(club, reporters, reported_post, as_role):
    assert _report(as_role, reporters[0], reported_post).status_code == 303
    again = _report(as_role, reporters[0], reported_post, "offensive")
    assert again.status_code == 422
    assert "You have already reported this post." in text_of(again)
    assert db.session.scalar(select(func.count(Report.id))) == 1
    page = text_of(as_role(reporters[0]).get(f"/forums/threads/{reported_post.thread_id}"))
    assert "You reported this post." in page


@pytest.mark.parametrize("data, message", [
    ({"reason": "boring"}, "Choose a reason from the list."),
    ({}, "Choose a reason from the list."),
    ({"reason": "spam", "note": "x" * 501}, "Use at most 500 characters."),
])
def test_bad_reports_are_refused_with_a_message(reporters, reported_post, as_role, data, message):
    response = as_role(reporters[0]).post(f"/forums/posts/{reported_post.id}/report", data=data)
    assert response.status_code == 422 and message in text_of(response)
    assert db.session.scalar(select(func.count(Report.id))) == 0


def test_reporting_the_opening_post_reports_the_thread(club, reporters, make_thread, as_role):
    group, people = club
    thread = make_thread(group, people["member"], title="Vendo tutto")
    for person in reporters:
        last = _report(as_role, person, opening_post(thread))
    assert last.headers["Location"].endswith(f"/forums/groups/{group.slug}")
    member = as_role(people["muted"])
    assert "Vendo tutto" not in text_of(member.get(f"/forums/groups/{group.slug}"))
    assert member.get(f"/forums/threads/{thread.id}").status_code == 404
    assert as_role(people["member"]).get(f"/forums/threads/{thread.id}").status_code == 200  # the author
    assert "hidden" in text_of(as_role(people["facilitator"]).get(f"/forums/groups/{group.slug}"))


# --- decisions ---------------------------------------------------------------------------------

def test_a_facilitator_restores_a_hidden_post_and_everyone_is_told(club, reporters, reported_post, as_role):
    group, people = club
    for person in reporters:
        _report(as_role, person, reported_post)
    response = _moderate(as_role(people["facilitator"]), reported_post, "restore", "Non è spam")
    assert response.status_code == 303
    post = db.session.get(Post, reported_post.id)
    assert post.state == PostState.VISIBLE and post.moderated_by_id == people["facilitator"].id
    author = db.session.scalars(select(Notification).where(Notification.user_id == people["member"].id)
                                .order_by(Notification.id)).all()
    assert [n.kind for n in author] == ["post_hidden_by_reports", "post_restored"]
    assert author[-1].params == {"thread": "Festa di quartiere", "reason": "Non è spam"}
    for person in reporters:
        outcome = db.session.scalar(select(Notification).where(Notification.user_id == person.id))
        assert (outcome.kind, outcome.params) == \
            ("report_outcome", {"thread": "Festa di quartiere", "outcome": "the post stays visible"})
    assert set(db.session.scalars(select(Report.outcome))) == {"kept"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "post.restore"))
    assert (entry.actor_id, entry.subject_type, entry.subject_id, entry.reason) == \
        (people["facilitator"].id, "post", post.id, "Non è spam")
    assert entry.details == {"thread": post.thread_id, "group": group.id} and entry.at is not None
    assert db.session.scalar(select(Signal.kind).where(Signal.kind == "forum.moderated")) is not None


def test_hiding_needs_a_reason_which_the_author_reads(club, reporters, reported_post, as_role):
    group, people = club
    _report(as_role, reporters[0], reported_post, "offensive")
    facilitator = as_role(people["facilitator"])
    missing = _moderate(facilitator, reported_post, "hide", "  ")
    assert missing.status_code == 422 and "This field is required." in text_of(missing)
    assert _state(reported_post) == PostState.VISIBLE
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "post.hide")) == 0
    assert _moderate(facilitator, reported_post, "hide", "Pubblicità").status_code == 303
    post = db.session.get(Post, reported_post.id)
    assert (post.state, post.moderation_reason) == (PostState.HIDDEN, "Pubblicità")
    notice = db.session.scalar(select(Notification).where(Notification.user_id == people["member"].id))
    assert (notice.kind, notice.params["reason"]) == ("post_hidden", "Pubblicità")
    assert db.session.scalar(select(Notification).where(Notification.user_id == reporters[0].id)) \
        .params["outcome"] == "the post is hidden"
    page = text_of(as_role(people["muted"]).get(f"/forums/threads/{post.thread_id}"))
    assert "This post is hidden: Pubblicità" in page


def test_deleting_needs_a_reason_and_removes_the_text(club, reporters, reported_post, as_role):
    group, people = club
    _report(as_role, reporters[0], reported_post, "personal_data")
    coordinator = as_role(people["coordinator"])
    assert _moderate(coordinator, reported_post, "delete").status_code == 422
    assert _moderate(coordinator, reported_post, "delete", "Numero di telefono").status_code == 303
    assert _state(reported_post) == PostState.DELETED
    assert _kinds(people["member"]) == ["post_deleted"]
    assert db.session.scalar(select(Report.outcome)) == "deleted"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "post.delete"))
    assert (entry.actor_id, entry.reason) == (people["coordinator"].id, "Numero di telefono")
    assert "spam.example" not in text_of(coordinator.get(f"/forums/threads/{reported_post.thread_id}"))
    # Deleted is final: neither restored nor decided again.
    again = _moderate(coordinator, reported_post, "restore")
    assert again.status_code == 422 and "This post was already deleted." in text_of(again)


def test_an_unknown_action_is_refused(club, reported_post, as_role):
    group, people = club
    response = _moderate(as_role(people["admin"]), reported_post, "explode", "why not")
    assert response.status_code == 422 and "Choose what to do." in text_of(response)


def test_keeping_a_reported_post_answers_the_reporters(club, reporters, reported_post, as_role):
    group, people = club
    _report(as_role, reporters[0], reported_post)
    assert _moderate(as_role(people["facilitator"]), reported_post, "restore").status_code == 303
    assert _kinds(people["member"]) == []  # nothing changed for the author
    assert _kinds(reporters[0]) == ["report_outcome"]
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "post")).all() == \
        ["post.keep"]


def test_locking_needs_a_reason_and_tells_the_author(club, make_thread, as_role):
    group, people = club
    thread = make_thread(group, people["member"])
    facilitator = as_role(people["facilitator"])
    url = f"/forums/moderation/threads/{thread.id}"
    missing = facilitator.post(url, data={"action": "lock", "reason": ""})
    assert missing.status_code == 422 and "This field is required." in text_of(missing)
    assert facilitator.post(url, data={"action": "lock", "reason": "Discussione conclusa"}).status_code == 303
    assert db.session.get(Thread, thread.id).locked
    notice = db.session.scalar(select(Notification).where(Notification.user_id == people["member"].id))
    assert (notice.kind, notice.params) == \
        ("thread_locked", {"thread": "Doposcuola a settembre", "reason": "Discussione conclusa"})
    assert facilitator.post(url, data={"action": "unlock"}).status_code == 303
    assert not db.session.get(Thread, thread.id).locked
    actions = db.session.execute(select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.reason)
                                 .where(AuditEntry.subject_type == "thread").order_by(AuditEntry.id)).all()
    assert actions == [("thread.lock", people["facilitator"].id, "Discussione conclusa"),
                       ("thread.unlock", people["facilitator"].id, "")]


def test_pinning_puts_a_thread_first(club, make_thread, as_role):
    group, people = club
    old = make_thread(group, people["member"], title="Regole del gruppo")
    make_thread(group, people["member"], title="Novità di oggi")
    admin = as_role(people["admin"])
    assert admin.post(f"/forums/moderation/threads/{old.id}", data={"action": "pin"}).status_code == 303
    page = text_of(admin.get(f"/forums/groups/{group.slug}"))
    assert page.index("Regole del gruppo") < page.index("Novità di oggi")
    assert admin.post(f"/forums/moderation/threads/{old.id}", data={"action": "unpin"}).status_code == 303
    assert [a for a in db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
            if a.startswith("thread.")] == ["thread.pin", "thread.unpin"]


# --- queues ------------------------------------------------------------------------------------

def test_the_group_queue_shows_reported_posts_hidden_ones_first(club, reporters, make_thread,
                                                                make_post, as_role):
    group, people = club
    thread = make_thread(group, people["facilitator"])
    once = make_post(thread, people["member"], body="Reported once")
    thrice = make_post(thread, people["muted"], body="Reported thrice")
    make_post(thread, people["member"], body="Never reported")
    _report(as_role, reporters[0], once, "offensive", note="Parole pesanti")
    for person, reason in zip(reporters, ["spam", "spam", "other"]):
        _report(as_role, person, thrice, reason)
    page = as_role(people["facilitator"]).get(f"/forums/groups/{group.slug}/moderation")
    text = text_of(page)
    assert page.status_code == 200
    assert text.index("Reported thrice") < text.index("Reported once") and "Never reported" not in text
    assert "hidden by reports" in text and "3 open reports" in text and "1 open report " in text
    assert "Spam or advertising: 2" in text and "Something else: 1" in text and "Parole pesanti" in text
    assert page.get_data(as_text=True).count('hx-target="closest li"') == 2


def test_deciding_in_the_queue_with_htmx_replaces_the_item(club, reporters, reported_post, as_role):
    group, people = club
    _report(as_role, reporters[0], reported_post)
    facilitator = as_role(people["facilitator"])
    error = _moderate(facilitator, reported_post, "hide", "", **HTMX)
    html = error.get_data(as_text=True)
    assert error.status_code == 422 and html.lstrip().startswith("<li") and "<html" not in html
    assert "This field is required." in html
    done = _moderate(facilitator, reported_post, "hide", "Spam", **HTMX)
    assert done.status_code == 200 and "HX-Redirect" not in done.headers
    assert done.get_data(as_text=True).strip() == \
        '<li class="card decided" role="status">The post is hidden and its author is told why.</li>'
    assert "Compra qui" not in text_of(facilitator.get(f"/forums/groups/{group.slug}/moderation"))


def test_the_municipio_queue_covers_its_groups_only(club, make_group, make_user, add_member,
                                                    make_thread, make_post, as_role):
    group, people = club
    far_group = make_group("Niguarda insieme", neighbourhood="niguarda")
    for target_group, body in ((group, "In Municipio 6"), (far_group, "In Municipio 9")):
        thread = make_thread(target_group, people["admin"])
        post = make_post(thread, people["admin"], body=body)
        reporter = make_user()
        add_member(reporter, target_group)
        _report(as_role, reporter, post)
    page = as_role(people["coordinator"]).get("/forums/municipi/6/moderation")
    assert page.status_code == 200
    assert "In Municipio 6" in text_of(page) and "Mamme in rete" in text_of(page)
    assert "In Municipio 9" not in text_of(page)
    assert as_role(people["admin"]).get("/forums/municipi/9/moderation").status_code == 200
    assert as_role(people["coordinator"]).get("/forums/municipi/9/moderation").status_code == 403
    assert as_role(people["admin"]).get("/forums/municipi/10/moderation").status_code == 404
    # The forum index leads coordinators to their Municipio's queue, and nobody else.
    index = as_role(people["coordinator"]).get("/forums/").get_data(as_text=True)
    assert 'href="/forums/municipi/6/moderation"' in index
    assert "Reports in" not in text_of(as_role(people["facilitator"]).get("/forums/"))


def test_the_municipio_queue_is_paginated(club, make_thread, make_post, reporters, as_role):
    group, people = club
    thread = make_thread(group, people["facilitator"])
    for number in range(22):
        post = make_post(thread, people["member"], body=f"Post {number:02d}")
        with db.write_transaction():
            db.session.add(Report(post_id=post.id, reporter_id=reporters[0].id, reason="spam"))
    coordinator = as_role(people["coordinator"])
    first = coordinator.get("/forums/municipi/6/moderation")
    assert len(re.findall(r"Post \d\d", text_of(first))) == 20
    assert 'href="/forums/municipi/6/moderation?page=2"' in first.get_data(as_text=True)
    second = coordinator.get("/forums/municipi/6/moderation?page=2")
    assert len(re.findall(r"Post \d\d", text_of(second))) == 2
    assert 'rel="prev" href="/forums/municipi/6/moderation?page=1"' in second.get_data(as_text=True)
    assert "Next page" not in text_of(second)
    for page in ("abc", "-1", "999999"):
        assert coordinator.get(f"/forums/municipi/6/moderation?page={page}").status_code == 200


def test_each_reporter_is_told_the_outcome_in_their_own_language(club, reported_post, make_user,
                                                                 add_member, as_role):
    group, people = club
    italian = make_user("Giulia", language="it")
    add_member(italian, group)
    _report(as_role, italian, reported_post)
    _moderate(as_role(people["facilitator"]), reported_post, "restore")  # the facilitator reads English
    outcome = db.session.scalar(select(Notification).where(Notification.user_id == italian.id))
    assert outcome.params["outcome"] == "il messaggio resta visibile"


def test_replies_in_a_hidden_thread_are_out_of_sight_too(seeded_group, make_user, add_member, make_thread,
                                                        make_post, as_role):
    group = seeded_group("barona")
    author, replier, reader = make_user("Author"), make_user("Replier"), make_user("Reader")
    for person in (author, replier, reader):
        add_member(person, group)
    thread = make_thread(group, author)
    reply = make_post(thread, replier, body="Una risposta nel filo nascosto")
    with db.write_transaction():
        db.session.merge(opening_post(thread)).state = PostState.HIDDEN
    client = as_role(reader)
    assert client.get(f"/forums/threads/{thread.id}").status_code == 404
    response = client.get(f"/forums/posts/{reply.id}/report")
    assert response.status_code == 404
    assert "Una risposta nel filo nascosto" not in text_of(response)

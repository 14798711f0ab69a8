"""Forums: threads and replies in a group, the one sanitiser, editing and deleting one's own posts,
pages of threads and posts, members-only groups and the abuse limits."""
import re
from datetime import datetime, timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select, update

from forums.models import Post, PostRevision, PostState, Thread
from forums.queries import POSTS_PER_PAGE
from portal import db, permissions
from portal.groups.models import Group, Visibility
from portal.notifications.models import Notification
from portal.signals import Signal
from portal.timeutil import utcnow
from tests.fixtures.forums import opening_post
from tests.test_bad_input import JUNK_VALUES
from tests.fixtures.groups import ROLES
from tests.fixtures.web import text_of

HTMX = {"HX-Request": "true"}


@pytest.fixture
def club(make_group, cast):
    """A members-only group and its cast of people, one per role."""
    group = make_group("Mamme in rete", visibility=Visibility.MEMBERS)
    return group, cast(group)


def _notifications(user):
    return db.session.execute(select(Notification.kind, Notification.params)
                              .where(Notification.user_id == user.id)).all()


def _new_thread(client, group, title="Libri di scuola", body="Chi ha **libri** da scambiare?"):
    return client.post(f"/forums/groups/{group.slug}/threads", data={"title": title, "body": body})


# --- writing -----------------------------------------------------------------------------------

def test_a_member_starts_a_thread_and_others_read_it(club, as_role):
    group, people = club
    response = _new_thread(as_role(people["member"]), group)
    thread = db.session.scalar(select(Thread))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/forums/threads/{thread.id}")
    assert (thread.title, thread.author_id) == ("Libri di scuola", people["member"].id)
    html = as_role(people["muted"]).get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "Libri di scuola" in html and "<strong>libri</strong>" in html
    signal = db.session.scalar(select(Signal).where(Signal.kind == "forum.posted"))
    assert (signal.subject_type, signal.group_id, signal.first) == ("thread", group.id, True)
    assert signal.actor_key != str(people["member"].id)


def test_a_reply_notifies_the_thread_author_and_bumps_the_thread(club, as_role, make_thread):
    group, people = club
    thread = make_thread(group, people["member"], last_activity_at=utcnow() - timedelta(days=1))
    facilitator = as_role(people["facilitator"])
    response = facilitator.post(f"/forums/threads/{thread.id}/replies", data={"body": "Io ne ho tre."})
    reply = db.session.scalar(select(Post).where(Post.is_opening.is_(False)))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#post-{reply.id}")
    assert _notifications(people["member"]) == [
        ("reply", {"nickname": "Facilitator", "thread": "Doposcuola a settembre"})]
    assert db.session.get(Thread, thread.id).last_activity_at > utcnow() - timedelta(minutes=1)
    assert db.session.scalar(select(Signal.subject_type).where(Signal.kind == "forum.posted")) == "post"
    # Replying in one's own thread notifies nobody.
    as_role(people["member"]).post(f"/forums/threads/{thread.id}/replies", data={"body": "Grazie!"})
    assert len(_notifications(people["member"])) == 1


@pytest.mark.parametrize("data, field, message", [
    ({"title": "", "body": "Ciao"}, "title", "This field is required."),
    ({"title": "   ", "body": "Ciao"}, "title", "This field is required."),
    ({"title": "Ab", "body": "Ciao"}, "title", "Use at least 3 characters."),
    ({"title": "x" * 161, "body": "Ciao"}, "title", "Use at most 160 characters."),
    ({"title": "Libri", "body": ""}, "body", "This field is required."),
    ({"title": "Libri", "body": "x" * 10_001}, "body", "Use at most 10000 characters."),
])
def test_bad_threads_get_a_clear_message_and_nothing_is_saved(club, as_role, data, field, message):
    group, people = club
    response = as_role(people["member"]).post(f"/forums/groups/{group.slug}/threads", data=data)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">{re.escape(message)}', response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_a_bad_reply_sent_by_htmx_gets_only_its_form_back(club, as_role, make_thread):
    group, people = club
    thread = make_thread(group, people["member"])
    response = as_role(people["member"]).post(f"/forums/threads/{thread.id}/replies",
                                               data={"body": " "}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.lstrip().startswith("<form") and "<html" not in html
    assert "This field is required." in html


def test_a_reply_sent_by_htmx_reloads_its_page_at_the_new_post(club, as_role, make_thread, make_post):
    """Going from the thread to the same thread "#post-N", the browser would only scroll: the new
    post would not show and the text would stay in the box, so people sent it twice."""
    group, people = club
    thread = make_thread(group, people["member"])
    member = as_role(people["member"])
    here = f"http://localhost/forums/threads/{thread.id}"
    response = member.post(f"/forums/threads/{thread.id}/replies", data={"body": "Io ci sono."},
                           headers={**HTMX, "HX-Current-URL": here + "#post-1"})
    reply = db.session.scalar(select(Post).where(Post.is_opening.is_(False)))
    assert response.headers["HX-Redirect"] == f"/forums/threads/{thread.id}#post-{reply.id}"
    assert response.headers["HX-Refresh"] == "true"
    # Onto the next page of the thread the browser loads a new page anyway: no second load.
    for _ in range(POSTS_PER_PAGE):
        make_post(thread, people["facilitator"])
    response = member.post(f"/forums/threads/{thread.id}/replies", data={"body": "Anche io."},
                           headers={**HTMX, "HX-Current-URL": here})
    assert f"/forums/threads/{thread.id}?page=2#post-" in response.headers["HX-Redirect"]
    assert "HX-Refresh" not in response.headers


# --- what pages show ---------------------------------------------------------------------------

XSS_TITLE = '<script>alert("title")</script> Festa'
XSS_BODIES = [
    "<script>alert('body')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="/forums/" hx-get="/logout" hx-trigger="load">trap</a>',
    '<div style="color:red" onmouseover="alert(2)" data-x="1">hover</div>',
    "[click me](javascript:alert(3))",
]


def test_user_text_is_sanitised_and_htmx_never_acts_in_it(club, as_role, age):
    group, people = club
    age(people["member"])
    member = as_role(people["member"])
    assert _new_thread(member, group, title=XSS_TITLE, body=XSS_BODIES[0]).status_code == 303
    thread = db.session.scalar(select(Thread))
    for body in XSS_BODIES[1:]:
        assert member.post(f"/forums/threads/{thread.id}/replies", data={"body": body}).status_code == 303
    for url in (f"/forums/threads/{thread.id}", f"/forums/groups/{group.slug}"):
        html = member.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;title&#34;)" in html
        tags = re.findall(r"<[^>]+>", html)
        assert not [tag for tag in tags if re.search(r"\s(on\w+|style|data-[\w-]+|hx-trigger)\s*=", tag)], url
        assert not [tag for tag in tags if "/logout" in tag and "hx-" in tag], url
        assert 'href="javascript:' not in html
    html = member.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    containers = re.findall(r'<div class="post-body"[^>]*>', html)
    assert len(containers) == len(XSS_BODIES)
    assert all(tag == '<div class="post-body" hx-disable>' for tag in containers)


def test_times_are_shown_in_rome(club, as_role, make_thread):
    group, people = club
    make_thread(group, people["member"], created_at=datetime(2026, 1, 15, 11, 0),
                last_activity_at=datetime(2026, 7, 15, 11, 0))
    with db.write_transaction():
        db.session.execute(update(Post).values(created_at=datetime(2026, 1, 15, 11, 0)))
    thread_id = db.session.scalar(select(Thread.id))
    assert "12:00 PM" in text_of(as_role(people["member"]).get(f"/forums/threads/{thread_id}"))  # CET
    assert "1:00 PM" in text_of(as_role(people["member"]).get(f"/forums/groups/{group.slug}"))  # CEST


def test_threads_come_pinned_first_then_by_latest_activity_twenty_a_page(club, as_role, make_thread):
    group, people = club
    now = utcnow()
    for number in range(25):
        make_thread(group, people["member"], title=f"Thread {number:02d}",
                    last_activity_at=now - timedelta(hours=number), pinned=number == 24)
    client = as_role(people["member"])
    page = client.get(f"/forums/groups/{group.slug}")
    titles = re.findall(r"Thread \d\d", text_of(page))
    assert titles == ["Thread 24"] + [f"Thread {n:02d}" for n in range(19)]
    html = page.get_data(as_text=True)
    assert f'rel="next" href="/forums/groups/{group.slug}?page=2"' in html and 'rel="prev"' not in html
    second = client.get(f"/forums/groups/{group.slug}?page=2")
    assert re.findall(r"Thread \d\d", text_of(second)) == [f"Thread {n:02d}" for n in range(19, 24)]
    assert f'rel="prev" href="/forums/groups/{group.slug}?page=1"' in second.get_data(as_text=True)
    assert "Next page" not in text_of(second)


@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", "999999", "9" * 30])
def test_odd_page_numbers_give_a_page_never_an_error(club, as_role, make_thread, page):
    group, people = club
    thread = make_thread(group, people["member"])
    client = as_role(people["member"])
    listing = client.get(f"/forums/groups/{group.slug}?page={page}")
    posts = client.get(f"/forums/threads/{thread.id}?page={page}")
    assert listing.status_code == posts.status_code == 200
    shown = "Doposcuola a settembre" in text_of(listing)
    assert shown == (page not in ("999999", "9" * 30))


def test_a_thread_shows_thirty_posts_a_page_and_pages_on(club, as_role, make_thread, make_post):
    group, people = club
    thread = make_thread(group, people["member"])
    for number in range(1, 35):
        make_post(thread, people["facilitator"], body=f"Reply {number:02d}")
    client = as_role(people["member"])
    first = client.get(f"/forums/threads/{thread.id}")
    assert "Chi viene?" in text_of(first) and "Reply 29" in text_of(first) and "Reply 30" not in text_of(first)
    assert f'rel="next" href="/forums/threads/{thread.id}?page=2"' in first.get_data(as_text=True)
    second = client.get(f"/forums/threads/{thread.id}?page=2")
    assert re.findall(r"Reply \d\d", text_of(second)) == [f"Reply {n}" for n in range(30, 35)]
    assert "Previous page" in text_of(second) and "Next page" not in text_of(second)


def _thread_with_posts(group, people, make_thread, make_post, count):
    """A thread of `count` posts by several people, some edited, hidden or deleted."""
    authors = [people[role] for role in ("member", "muted", "facilitator", "coordinator", "admin")]
    thread = make_thread(group, people["member"])
    for number in range(count - 1):
        make_post(thread, authors[number % len(authors)], body=f"Reply **{number}**",
                  state=[PostState.VISIBLE, PostState.HIDDEN, PostState.DELETED][number % 3],
                  edited_at=utcnow() if number % 2 else None)
    return thread


@pytest.mark.parametrize("role", ["anonymous", "member", "facilitator"])
def test_thread_page_queries_do_not_grow(make_group, cast, as_role, make_thread, make_post,
                                         count_queries, role):
    group = make_group("Cortile aperto", visibility=Visibility.PUBLIC)
    people = cast(group)
    client = as_role(people[role])
    counts = []
    for size in (5, 60):
        thread = _thread_with_posts(group, people, make_thread, make_post, size)
        with count_queries() as queries:
            response = client.get(f"/forums/threads/{thread.id}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 9, counts


# --- editing and deleting one's own posts ------------------------------------------------------

def test_authors_edit_within_fifteen_minutes_and_earlier_versions_are_kept(club, as_role, make_thread):
    group, people = club
    thread = make_thread(group, people["member"], body="Ci vediamo alle 5")
    post = opening_post(thread)
    member = as_role(people["member"])
    assert "Ci vediamo alle 5" in member.get(f"/forums/posts/{post.id}/edit").get_data(as_text=True)
    response = member.post(f"/forums/posts/{post.id}/edit", data={"body": "Ci vediamo alle 6"})
    assert response.status_code == 303
    assert db.session.get(Post, post.id).body == "Ci vediamo alle 6"
    assert db.session.scalars(select(PostRevision.body)).all() == ["Ci vediamo alle 5"]
    page = text_of(member.get(f"/forums/threads/{thread.id}"))
    assert "edited" in page and "Ci vediamo alle 5" not in page
    history = as_role(people["facilitator"]).get(f"/forums/posts/{post.id}/history")
    assert history.status_code == 200 and "Ci vediamo alle 5" in text_of(history)
    assert member.get(f"/forums/posts/{post.id}/history").status_code == 403


def test_editing_after_fifteen_minutes_is_refused_with_a_reason(club, as_role, make_thread):
    group, people = club
    thread = make_thread(group, people["member"], body="Prima versione")
    post = opening_post(thread)
    with db.write_transaction():
        db.session.execute(update(Post).values(created_at=utcnow() - timedelta(minutes=16)))
    member = as_role(people["member"])
    page = member.get(f"/forums/posts/{post.id}/edit")
    assert page.status_code == 403 and "Too late to edit" in text_of(page)
    assert member.post(f"/forums/posts/{post.id}/edit", data={"body": "Nuova"}).status_code == 403
    assert db.session.get(Post, post.id).body == "Prima versione"
    page = member.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert f"/forums/posts/{post.id}/edit" not in page


def test_an_edit_with_bad_input_changes_nothing(club, as_role, make_thread):
    group, people = club
    post = opening_post(make_thread(group, people["member"], body="Testo"))
    response = as_role(people["member"]).post(f"/forums/posts/{post.id}/edit", data={"body": "x" * 10_001})
    assert response.status_code == 422 and "Use at most 10000 characters." in text_of(response)
    assert db.session.get(Post, post.id).body == "Testo"
    assert db.session.scalar(select(func.count(PostRevision.id))) == 0


def test_authors_delete_their_replies_and_the_text_leaves_the_page(club, as_role, make_thread, make_post):
    group, people = club
    thread = make_thread(group, people["member"])
    reply = make_post(thread, people["muted"], body="Il mio numero è 333")
    muted = as_role(people["muted"])
    assert muted.post(f"/forums/posts/{reply.id}/delete").status_code == 303
    assert db.session.get(Post, reply.id).state == PostState.DELETED
    for viewer in ("member", "facilitator"):
        page = text_of(as_role(people[viewer]).get(f"/forums/threads/{thread.id}"))
        assert "Deleted" in page and "333" not in page
    assert muted.post(f"/forums/posts/{reply.id}/delete").status_code == 403  # already gone


def test_deleting_the_opening_post_deletes_the_thread(club, as_role, make_thread):
    group, people = club
    thread = make_thread(group, people["member"], title="Da cancellare")
    member = as_role(people["member"])
    response = member.post(f"/forums/posts/{opening_post(thread).id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/forums/groups/{group.slug}")
    assert db.session.get(Thread, thread.id).deleted_at is not None
    assert member.get(f"/forums/threads/{thread.id}").status_code == 404
    assert "Da cancellare" not in text_of(member.get(f"/forums/groups/{group.slug}"))
    facilitator = as_role(people["facilitator"])
    assert "deleted" in text_of(facilitator.get(f"/forums/groups/{group.slug}"))
    assert "This thread is deleted" in text_of(facilitator.get(f"/forums/threads/{thread.id}"))


def test_hidden_posts_show_the_reason_to_members_and_the_text_to_author_and_managers(
        club, as_role, make_thread, make_post):
    group, people = club
    thread = make_thread(group, people["member"])
    make_post(thread, people["muted"], body="Testo nascosto", state=PostState.HIDDEN,
              moderation_reason="Dati personali <b>esposti</b>", moderated_by_id=people["facilitator"].id)
    expected = "This post is hidden: Dati personali <b>esposti</b>"
    member = as_role(people["member"]).get(f"/forums/threads/{thread.id}")
    assert expected in text_of(member).replace("&lt;", "<").replace("&gt;", ">")
    assert "Testo nascosto" not in text_of(member) and "<b>esposti" not in member.get_data(as_text=True)
    for role in ("muted", "facilitator"):
        page = text_of(as_role(people[role]).get(f"/forums/threads/{thread.id}"))
        assert "Testo nascosto" in page and "This post is hidden" in page


def test_a_locked_thread_says_so_and_only_managers_reply(club, as_role, make_thread):
    group, people = club
    thread = make_thread(group, people["member"], locked=True)
    member = as_role(people["member"])
    page = text_of(member.get(f"/forums/threads/{thread.id}"))
    assert "This thread is closed to new replies." in page and "Send reply" not in page
    assert member.post(f"/forums/threads/{thread.id}/replies", data={"body": "Ma..."}).status_code == 403
    facilitator = as_role(people["facilitator"])
    assert "Send reply" in text_of(facilitator.get(f"/forums/threads/{thread.id}"))
    reply = facilitator.post(f"/forums/threads/{thread.id}/replies", data={"body": "Chiuso."})
    assert reply.status_code == 303


def test_muted_members_read_without_a_reply_form(club, as_role, make_thread):
    group, people = club
    thread = make_thread(group, people["member"])
    page = text_of(as_role(people["muted"]).get(f"/forums/threads/{thread.id}"))
    assert "Chi viene?" in page and "Send reply" not in page
    assert "You can read this conversation but not write in it." in page


# --- members-only groups and the index ---------------------------------------------------------

def test_members_only_groups_show_nothing_to_non_members(club, as_role, make_thread, make_client):
    group, people = club
    thread = make_thread(group, people["member"], title="Solo per noi", body="Segreto")
    post = opening_post(thread)
    outsider = as_role(people["non_member"])
    for url in (f"/forums/groups/{group.slug}", f"/forums/threads/{thread.id}",
                f"/forums/posts/{post.id}/report"):
        response = outsider.get(url)
        assert response.status_code == 403
        assert "Solo per noi" not in text_of(response) and "Segreto" not in text_of(response)
        anonymous = make_client().get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert "Mamme in rete" not in text_of(outsider.get("/forums/"))
    assert "Mamme in rete" in text_of(as_role(people["member"]).get("/forums/"))


def test_the_index_lists_exactly_the_groups_each_role_may_read(make_group, cast, as_role, make_thread):
    group = make_group("Mamme in rete", visibility=Visibility.MEMBERS)
    make_group("Papà a Niguarda", neighbourhood="niguarda", visibility=Visibility.MEMBERS)
    make_group("Tavolo riservato", neighbourhood=None, visibility=Visibility.MEMBERS)
    people = cast(group)
    make_thread(group, people["member"], title="Novità")
    groups = db.session.scalars(select(Group)).all()
    for role in ROLES:
        user = people[role] or AnonymousUserMixin()
        permissions.forget_standing()
        readable = {g.slug for g in groups if permissions.may("forum.read", g, user=user)}
        html = as_role(people[role]).get("/forums/").get_data(as_text=True)
        listed = set(re.findall(r'href="/forums/groups/([^"?]+)"', html))
        assert listed == readable, role


def test_the_index_shows_my_groups_first_with_their_latest_activity(club, as_role, make_thread):
    group, people = club
    make_thread(group, people["member"], last_activity_at=datetime(2026, 3, 2, 9, 30))
    page = text_of(as_role(people["member"]).get("/forums/"))
    assert page.index("Your groups") < page.index("Mamme in rete") < page.index("Other groups")
    assert "1 conversation · latest activity 3/2/26, 10:30 AM" in page


# --- abuse limits ------------------------------------------------------------------------------

def test_the_same_text_twice_within_five_minutes_is_refused(club, as_role, make_thread, age):
    group, people = club
    age(people["member"])
    thread = make_thread(group, people["facilitator"])
    member = as_role(people["member"])
    url = f"/forums/threads/{thread.id}/replies"
    assert member.post(url, data={"body": "Ci sono!"}).status_code == 303
    again = member.post(url, data={"body": "  Ci sono!  "})
    assert again.status_code == 422 and "You posted the same text a moment ago." in text_of(again)
    with db.write_transaction():
        db.session.execute(update(Post).values(created_at=utcnow() - timedelta(minutes=6)))
    assert member.post(url, data={"body": "Ci sono!"}).status_code == 303


def test_new_accounts_post_at_a_slower_rate(club, as_role, make_thread, age):
    group, people = club
    thread = make_thread(group, people["facilitator"])
    url = f"/forums/threads/{thread.id}/replies"
    newcomer = as_role(people["member"])
    assert [newcomer.post(url, data={"body": f"Messaggio {n}"}).status_code for n in range(4)] == \
        [303, 303, 303, 422]
    refused = newcomer.post(url, data={"body": "Ancora"})
    assert "You can write 3 posts every 10 minutes." in text_of(refused)
    age(people["member"])
    assert newcomer.post(url, data={"body": "Ora sì"}).status_code == 303
    with db.write_transaction():  # ten in the last ten minutes is the limit for everyone
        db.session.execute(update(Post).where(Post.author_id == people["member"].id)
                           .values(created_at=utcnow() - timedelta(minutes=11)))
    statuses = [newcomer.post(url, data={"body": f"Altro {n}"}).status_code for n in range(11)]
    assert statuses == [303] * 10 + [422]


def test_posting_and_reporting_are_rate_limited_per_person(club, as_role, make_thread, make_client):
    group, people = club
    thread = make_thread(group, people["facilitator"])
    member = as_role(people["member"])
    posting = [member.post(f"/forums/threads/{thread.id}/replies", data={"body": ""}).status_code
               for _ in range(21)]
    assert posting[:20] == [422] * 20 and posting[20] == 429
    # The budget is the person's: someone else on the same address still posts.
    assert as_role(people["facilitator"]).post(f"/forums/threads/{thread.id}/replies",
                                               data={"body": "Eccomi"}).status_code == 303
    reporting = [member.post("/forums/posts/999999/report", data={"reason": "spam"}).status_code
                 for _ in range(31)]
    assert reporting[:30] == [404] * 30 and reporting[30] == 429


@pytest.mark.parametrize("junk", JUNK_VALUES)
def test_every_forum_form_survives_junk_in_every_field(club, as_role, make_thread, make_post, age, junk):
    group, people = club
    age(people["facilitator"])
    thread = make_thread(group, people["member"])
    post = make_post(thread, people["facilitator"])
    fields = ["title", "body", "reason", "note", "action", f"post{post.id}-action",
              f"post{post.id}-reason", "next"]
    client = as_role(people["facilitator"])
    for url in (f"/forums/groups/{group.slug}/threads", f"/forums/threads/{thread.id}/replies",
                f"/forums/posts/{post.id}/edit", f"/forums/posts/{opening_post(thread).id}/report",
                f"/forums/moderation/posts/{post.id}", f"/forums/moderation/threads/{thread.id}",
                f"/forums/posts/{post.id}/delete"):
        response = client.post(url, data={field: junk for field in fields})
        assert response.status_code < 500, (url, junk, text_of(response)[:300])

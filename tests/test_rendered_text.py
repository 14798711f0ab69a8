"""User text is rendered once, when it is written: pages show the stored, sanitised HTML and never
run Markdown or bleach; `flask --app portal rerender-text` stores it anew when the rules change."""
import pytest
from sqlalchemy import select, update

from forums.models import Post, PostRevision, Thread
from portal import db, text
from portal.groups.models import Visibility
from tests.fixtures.forums import opening_post
from tests.test_forums import XSS_BODIES, XSS_TITLE
from tests.test_text import assert_structurally_safe


@pytest.fixture
def club(make_group, cast, age):
    group = make_group("Mamme in rete", visibility=Visibility.MEMBERS)
    people = cast(group)
    age(people["member"])  # past the new member's posting limits
    return group, people


@pytest.fixture
def no_markdown(monkeypatch):
    """Call it once the data is written: from then on, running Markdown or bleach fails the request."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("a page rendered user text")

    def start() -> None:
        monkeypatch.setattr(text, "_to_html", refuse)
        monkeypatch.setattr(text._cleaner, "clean", refuse)
    return start


def test_what_residents_write_is_stored_sanitised(club, as_role):
    group, people = club
    member = as_role(people["member"])
    member.post(f"/forums/groups/{group.slug}/threads", data={"title": XSS_TITLE, "body": XSS_BODIES[0]})
    thread = db.session.scalar(select(Thread))
    for body in XSS_BODIES[1:]:
        assert member.post(f"/forums/threads/{thread.id}/replies", data={"body": body}).status_code == 303
    posts = db.session.scalars(select(Post).order_by(Post.id)).all()
    assert [post.body for post in posts] == XSS_BODIES
    for post in posts:
        assert post.text_version == text.SANITISER_VERSION
        assert_structurally_safe(post.body_html)
        assert "<script" not in post.body_html and 'href="javascript:' not in post.body_html


def test_a_thread_page_shows_the_stored_html_without_rendering(club, as_role, make_thread, make_post,
                                                              no_markdown):
    group, people = club
    thread = make_thread(group, people["member"], body="Chi ha **libri**?")
    make_post(thread, people["facilitator"], body="<script>alert(1)</script> Io, [qui](https://example.org)")
    member = as_role(people["member"])
    no_markdown()
    html = member.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "<strong>libri</strong>" in html and "<script>alert" not in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">qui</a>' in html


def test_an_edit_stores_the_new_html_and_keeps_the_old_one_for_the_history(club, as_role, make_thread):
    group, people = club
    thread = make_thread(group, people["member"], body="Alle **5**")
    post = opening_post(thread)
    assert as_role(people["member"]).post(f"/forums/posts/{post.id}/edit",
                                           data={"body": "Alle *6*"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Post, post.id).body_html == "<p>Alle <em>6</em></p>\n"
    assert db.session.scalar(select(PostRevision.body_html)) == "<p>Alle <strong>5</strong></p>\n"


def test_proposal_and_event_pages_show_the_stored_html(make_proposal, make_event, make_client, no_markdown):
    proposal = make_proposal(description="Un **pulmino** per la scuola")
    event = make_event(description="Porta *merenda*")
    client = make_client()
    no_markdown()
    assert "<strong>pulmino</strong>" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "<em>merenda</em>" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_after_the_rules_change_pages_render_old_rows_until_the_command_stores_them(
        club, as_role, make_thread, app, monkeypatch):
    group, people = club
    thread = make_thread(group, people["member"], body="Chi ha **libri**?")
    # As if an older sanitiser had let something through that the new rules drop.
    with db.write_transaction():
        db.session.execute(update(Post).values(body_html="<p onclick=x>old</p>"))
    monkeypatch.setattr(text, "SANITISER_VERSION", text.SANITISER_VERSION + 1)
    member = as_role(people["member"])
    html = member.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert "<strong>libri</strong>" in html and "onclick" not in html

    runner = app.test_cli_runner()
    result = runner.invoke(args=["rerender-text"])
    assert result.exit_code == 0 and "Rendered 1 texts" in result.output
    db.session.expire_all()
    post = opening_post(thread)
    assert (post.body_html, post.text_version) == ("<p>Chi ha <strong>libri</strong>?</p>\n", text.SANITISER_VERSION)
    assert "Rendered 0 texts" in runner.invoke(args=["rerender-text"]).output
    assert "Rendered 1 texts" in runner.invoke(args=["rerender-text", "--all"]).output


def test_emptying_a_text_as_an_erasure_does_empties_its_html(club, make_thread):
    """Erasing a person blanks their posts' bodies: no copy of their words stays in the HTML."""
    group, people = club
    post = opening_post(make_thread(group, people["member"], body="Sono Bea, via Giambellino 12"))
    with db.write_transaction():
        post.body = ""
    db.session.expire_all()
    assert db.session.get(Post, post.id).body_html == ""

"""Notifications: listed newest first, counted in the header, opened and marked read, private."""
import pytest
from sqlalchemy import select

from portal import db
from portal.notifications import notify
from portal.notifications.models import MESSAGES, Notification
from tests.fixtures.web import text_of


def _send(user, kind="join_approved", link="/groups/mamme", **params):
    params = params or {"group": "Mamme in rete"}
    with db.write_transaction():
        notify(user.id, kind, link, **params)


def test_the_header_counts_unread_notifications(client, make_user, sign_in):
    bea = make_user("Bea")
    sign_in(client, bea)
    assert "unread" not in text_of(client.get("/"))
    _send(bea)
    _send(bea, "invited", nickname="Giulia", group="Doposcuola")
    assert "2 unread" in text_of(client.get("/"))


def test_the_list_shows_each_message_in_the_readers_language(client, make_user, sign_in):
    bea = make_user("Bea", language="it")
    sign_in(client, bea)
    _send(bea)
    page = text_of(client.get("/notifications/"))
    assert "La tua richiesta di entrare in Mamme in rete" in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, make_user, sign_in):
    bea = make_user("Bea")
    sign_in(client, bea)
    _send(bea)
    notification = db.session.scalar(select(Notification))
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.status_code == 303 and response.headers["Location"] == "/groups/mamme"
    assert db.session.scalar(select(Notification.read_at)) is not None
    assert "unread" not in text_of(client.get("/"))


@pytest.mark.parametrize("link", ["//evil.example/", "/\\evil.example", "https://evil.example/"])
def test_a_link_to_another_site_is_never_followed(client, make_user, sign_in, link):
    bea = make_user("Bea")
    sign_in(client, bea)
    _send(bea, link=link)
    notification = db.session.scalar(select(Notification))
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.headers["Location"] == "/notifications/"


def test_someone_elses_notification_is_not_found(make_client, make_user, sign_in):
    bea, carla = make_user("Bea"), make_user("Carla")
    _send(bea)
    notification = db.session.scalar(select(Notification))
    response = sign_in(make_client(), carla).post(f"/notifications/{notification.id}/open")
    assert response.status_code == 404
    assert db.session.scalar(select(Notification.read_at)) is None


def test_mark_all_read(client, make_user, sign_in):
    bea = make_user("Bea")
    sign_in(client, bea)
    for _ in range(3):
        _send(bea)
    assert client.post("/notifications/read-all").status_code == 303
    assert db.session.scalars(select(Notification.read_at)).all().count(None) == 0


def test_notifications_are_paginated(client, make_user, sign_in, count_queries):
    bea = make_user("Bea")
    sign_in(client, bea)
    with db.write_transaction():
        for number in range(35):
            notify(bea.id, "invited", "/", nickname=f"Person{number}", group="G")
    first = text_of(client.get("/notifications/"))
    assert "Person34" in first and "Person4 " not in first and "Next page" in first
    second = text_of(client.get("/notifications/?page=2"))
    assert "Person4 " in second and "Person0" in second
    assert "Previous page" in second and "Next page" not in second
    for junk in ("abc", "-3", "0", "99999999999"):
        assert client.get(f"/notifications/?page={junk}").status_code == 200
    with count_queries() as queries:
        client.get("/notifications/")
    assert len(queries) <= 3, queries  # the user, the page of notifications, the header count


def test_signed_out_visitors_are_sent_to_sign_in(client, city):
    assert client.get("/notifications/").status_code == 302


def test_every_kind_has_a_message_that_formats():
    params = {"nickname": "N", "thread": "T", "group": "G", "reason": "R", "until": "U", "outcome": "O",
              "event": "E", "when": "W", "place": "P", "code": "C", "proposal": "Pr", "answer": "A",
              "state": "S"}
    for kind, template in MESSAGES.items():
        assert str(template) % params, kind

"""When the database or Redis cannot be reached, the portal answers its own page in the visitor's
language (503, try again), loses nothing it had acknowledged, and serves again as soon as they are
back, without restarting gunicorn."""
from __future__ import annotations

import sqlite3

import pytest
from flask import request_finished
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from portal import db
from portal.accounts.models import DeviceSession
from portal.groups.models import Membership
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.server import WORKERS, Visitor, free_port, running_gunicorn, signed_in_visitors
from tests.fixtures.tcp_proxy import TcpProxy
from tests.fixtures.web import BrowserLikeClient

GROUP = "/groups/giambellino-lorenteggio"
UNAVAILABLE = {"it": "Il portale non è disponibile per un momento",
               "en": "The portal is not available for a moment"}


def _says_unavailable(status: int, page: str, headers, language: str) -> None:
    """The portal's own 503 page (not gunicorn's bare error), in `language`, with when to retry."""
    assert status == 503, page[:500]
    assert int(headers["Retry-After"]) > 0
    assert UNAVAILABLE[language] in page and f'lang="{language}"' in page


@pytest.fixture
def without_database(app, make_app):
    """The portal configured for a PostgreSQL server that is not running (a port nothing listens
    on), handling errors as in production instead of propagating them to the test."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/cortile"
    application = make_app(DATABASE_URL=url, PROPAGATE_EXCEPTIONS=False)
    application.test_client_class = BrowserLikeClient
    return application


@pytest.mark.parametrize("language", ["it", "en"])
def test_without_the_database_pages_say_so_in_the_visitors_language(without_database, language):
    client = without_database.test_client()
    for path in ("/", "/proposals/", GROUP):
        response = client.get(path, headers={"Accept-Language": language})
        _says_unavailable(response.status_code, response.get_data(as_text=True), response.headers, language)


def test_without_the_database_a_signed_in_visitor_gets_the_same_page(without_database):
    client = without_database.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "a-session-token"  # as Flask-Login keeps a signed-in browser
    for path in ("/account", "/notifications/", "/no-such-page"):
        response = client.get(path)
        _says_unavailable(response.status_code, response.get_data(as_text=True), response.headers, "en")
        assert response.headers["Cache-Control"] == "no-store"


def test_without_redis_rate_limited_forms_say_so(make_app, city):
    """Limits are never skipped silently (RATELIMIT_SWALLOW_ERRORS is off): the form answers 503.
    With Redis up, test_security.py::test_rate_limits_are_kept_in_redis_in_production counts them."""
    application = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/15")
    application.test_client_class = BrowserLikeClient
    try:
        client = application.test_client()
        response = client.post("/login", data={"login": "Rosa", "password": "x"},
                               headers={"Accept-Language": "it"})
        _says_unavailable(response.status_code, response.get_data(as_text=True), response.headers, "it")
        assert client.get("/login").status_code == 200  # pages without a limit do not need Redis
    finally:
        make_app()  # the shared limiter back on memory for the tests that follow


def _postgresql_only(url) -> None:
    if make_url(url).get_backend_name() != "postgresql":
        pytest.skip("the outage tests cut a PostgreSQL connection: run them with "
                    "CORTILE_TEST_DATABASE=postgresql+psycopg://...")


def test_a_connection_lost_after_the_page_is_ready_does_not_spoil_it(app, client, city):
    """The server goes away between drawing the page and closing the request's session (a restart
    at the wrong moment): the visitor still gets the page, not a bare error from the teardown."""
    _postgresql_only(app.config["DATABASE_URL"])
    own_engine = db.engine()  # the test's connection, not the request's

    def server_restarts(_sender, **_extra):
        backend = db.session.connection().connection.driver_connection.info.backend_pid
        with own_engine.connect() as connection:  # waits until that backend has really gone
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": backend})

    with request_finished.connected_to(server_restarts, app):
        response = client.get("/proposals/")
    assert response.status_code == 200 and "Proposals" in response.get_data(as_text=True)


@pytest.fixture(scope="module")
def _gunicorn_through_proxy(app_settings, tmp_path_factory):
    _postgresql_only(app_settings["DATABASE_URL"])
    url = make_url(app_settings["DATABASE_URL"])
    proxy = TcpProxy(url.host, url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        with running_gunicorn(proxied, app_settings["SECRET_KEY"], tmp_path_factory.mktemp("gunicorn")) as base:
            yield base, proxy
    finally:
        proxy.close()


@pytest.fixture
def gunicorn_through_proxy(app, _gunicorn_through_proxy):
    """gunicorn with several workers (started once for these tests), reaching PostgreSQL through a
    proxy that the test can cut; yields (base URL, proxy)."""
    base, proxy = _gunicorn_through_proxy
    yield base, proxy
    proxy.reopen()


def _membership(user) -> Membership | None:
    db.session.rollback()
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id))


def test_while_the_database_is_down_pages_say_so_and_nothing_is_half_saved(gunicorn_through_proxy, make_user):
    base, proxy = gunicorn_through_proxy
    rosa = make_user("Rosa")
    [signed_in] = signed_in_visitors(base, [rosa])
    token = signed_in.csrf_token(GROUP)
    proxy.cut()
    for visitor, language in ((Visitor(base, 1, "", language="it"), "it"),
                              (Visitor(base, 2, "", language="en"), "en"), (signed_in, "en")):
        for path in ("/", "/proposals/", GROUP):
            _says_unavailable(*visitor.fetch(path), language)
    # Even a page that does not exist: its layout would ask who is signed in.
    for path in ("/account", "/no-such-page"):
        _says_unavailable(*signed_in.fetch(path), "en")
    _says_unavailable(*signed_in.fetch(f"{GROUP}/join", {"csrf_token": token}), "en")
    assert _membership(rosa) is None


def test_service_resumes_when_the_database_is_back_and_nothing_acknowledged_is_lost(gunicorn_through_proxy,
                                                                                     make_user):
    base, proxy = gunicorn_through_proxy
    rosa = make_user("Rosa")
    [visitor] = signed_in_visitors(base, [rosa])
    assert visitor.open(f"{GROUP}/join", {"csrf_token": visitor.csrf_token(GROUP)})[0] == 303
    proxy.cut()
    assert visitor.fetch(GROUP).status == 503
    proxy.reopen()
    # Every worker's pooled connections died in the cut; each request finds a live one again.
    answers = [visitor.fetch(GROUP) for _ in range(3 * WORKERS)]
    assert [answer.status for answer in answers] == [200] * (3 * WORKERS)
    assert "Leave the group" in answers[-1].text
    assert _membership(rosa) is not None


def test_a_write_lock_held_past_the_busy_timeout_answers_try_again_and_saves_nothing(
        app, make_app, make_user, monkeypatch):
    """SQLite: when other writers keep the lock longer than the busy timeout, the visitor is told to
    try again in a minute (503), not shown a 500, and nothing of the request is kept."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL locks rows instead")
    person = make_user("Lina")
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 50)  # read when the engine is made
    application = make_app(PROPAGATE_EXCEPTIONS=False)
    application.test_client_class = BrowserLikeClient
    client = application.test_client()
    holder = sqlite3.connect(url.database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer, in the middle of a long transaction
        response = client.post("/login", data={"login": "Lina", "password": PASSWORD},
                               headers={"Accept-Language": "en"})
        _says_unavailable(response.status_code, response.get_data(as_text=True), response.headers, "en")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeviceSession)
                                 .where(DeviceSession.user_id == person.id)) == 0

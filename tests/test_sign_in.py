"""Signing in and out, on one device or everywhere, and the session cookie's protections."""
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal import db
from portal.accounts.models import DeviceSession, User
from portal.accounts.sessions import device_hint
from portal.timeutil import utcnow
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.web import text_of

GENERIC_FAILURE = "That nickname or email and password do not match."


def test_sign_in_by_nickname_in_any_case_or_by_email(make_client, make_user):
    make_user("Bea", email="bea@example.org")
    for login in ("Bea", "BEA", "bea@example.org", "BEA@Example.org"):
        client = make_client()
        response = client.post("/login", data={"login": login, "password": PASSWORD})
        assert response.status_code == 303, login
        assert "Bea" in text_of(client.get("/"))


def test_a_wrong_password_and_an_unknown_nickname_get_the_same_answer(client, make_user):
    make_user("Bea")
    wrong = client.post("/login", data={"login": "Bea", "password": "not the password"})
    unknown = client.post("/login", data={"login": "Nobody", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 422
    assert GENERIC_FAILURE in text_of(wrong) and GENERIC_FAILURE in text_of(unknown)


def test_empty_and_oversized_sign_in_input(client, city):
    assert "This field is required." in text_of(client.post("/login", data={"login": "", "password": ""}))
    response = client.post("/login", data={"login": "x" * 300, "password": "y"})
    assert response.status_code == 422 and "Use at most 254 characters." in text_of(response)


def test_after_sign_in_you_return_only_to_a_page_of_this_site(make_client, make_user):
    make_user("Bea")
    client = make_client()
    response = client.post("/login?next=/account", data={"login": "Bea", "password": PASSWORD})
    assert response.headers["Location"].endswith("/account")
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client = make_client()
        response = client.post(f"/login?next={hostile}", data={"login": "Bea", "password": PASSWORD})
        assert "evil" not in response.headers["Location"], hostile


def test_a_private_page_sends_visitors_to_sign_in_and_back(client, city):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login?next=/account" in response.headers["Location"]


def test_sign_out(client, make_user, sign_in):
    sign_in(client, make_user("Bea"))
    response = client.post("/logout")
    assert response.status_code == 303
    assert "Bea" not in text_of(client.get("/"))
    assert client.get("/account").status_code == 302


def test_sign_out_everywhere_ends_every_session(make_client, make_user, sign_in):
    bea = make_user("Bea")
    phone, laptop = sign_in(make_client(), bea), sign_in(make_client(), bea)
    assert laptop.get("/account").status_code == 200
    assert phone.post("/logout-everywhere").status_code == 303
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302
    sign_in(make_client(), bea)  # the password still works


def test_the_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user("Bea")
    response = client.post("/login", data={"login": "Bea", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development serves plain http on 127.0.0.1


def test_in_production_the_session_cookie_is_secure(make_app, monkeypatch):
    monkeypatch.setenv("CORTILE_ENV", "production")
    monkeypatch.setenv("CORTILE_PUBLIC_URL", "https://cortile.example.org")
    production = make_app()
    assert production.config["SESSION_COOKIE_SECURE"] is True


def test_the_cookie_carries_a_session_secret_stored_only_hashed(client, make_user, sign_in):
    bea = make_user("Bea")
    sign_in(client, bea)
    with client.session_transaction() as session:
        secret = session["_user_id"]
    [row] = db.session.scalars(select(DeviceSession)).all()
    assert row.user_id == bea.id and secret != str(bea.id) and len(secret) >= 40
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()


# --- sessions end on the server ------------------------------------------------------------------

COOKIE = "cortile_session"
ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Mobile Safari/537.36")
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"


def _copy_of(client, make_client):
    """Another browser holding the same cookie, as someone who copied it would."""
    thief = make_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def test_a_cookie_copied_before_signing_out_opens_nothing_after(make_client, make_user, sign_in):
    phone = sign_in(make_client(), make_user("Bea"))
    copy = _copy_of(phone, make_client)
    assert copy.get("/account").status_code == 200
    assert phone.post("/logout").status_code == 303
    assert copy.get("/account").status_code == 302
    assert db.session.scalar(select(DeviceSession.id)) is None


def _sign_in_with(make_client, user, user_agent):
    client = make_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    response = client.post("/login", data={"login": user.nickname, "password": PASSWORD})
    assert response.status_code == 303
    return client


def test_the_account_page_lists_devices_and_signs_out_one_only(make_client, make_user):
    bea = make_user("Bea")
    phone = _sign_in_with(make_client, bea, ANDROID_CHROME)
    laptop = _sign_in_with(make_client, bea, WINDOWS_FIREFOX)
    shown = text_of(phone.get("/account"))
    assert "Chrome on Android this device Last used" in shown and "Firefox on Windows" in shown
    assert shown.count("Sign out this device") == 2
    laptop_id = db.session.scalar(select(DeviceSession.id).where(DeviceSession.system == "Windows"))
    response = phone.post(f"/account/sessions/{laptop_id}/end")
    assert response.status_code == 303 and response.headers["Location"].endswith("/account")
    assert "That device is signed out." in text_of(phone.get("/account"))
    assert laptop.get("/account").status_code == 302
    assert "Firefox on Windows" not in text_of(phone.get("/account"))
    # Ending this device's own session from the list signs it out.
    phone_id = db.session.scalar(select(DeviceSession.id))
    assert phone.post(f"/account/sessions/{phone_id}/end").status_code == 303
    assert phone.get("/account").status_code == 302


def test_nobody_ends_someone_elses_session(make_client, make_user, sign_in):
    bea_phone = sign_in(make_client(), make_user("Bea"))
    carla = sign_in(make_client(), make_user("Carla"))
    beas = db.session.scalar(select(DeviceSession.id).order_by(DeviceSession.id))
    assert carla.post(f"/account/sessions/{beas}/end").status_code == 404
    assert carla.post(f"/account/sessions/{beas}/end", csrf=False).status_code == 400
    assert bea_phone.get("/account").status_code == 200


@pytest.mark.parametrize("age", [
    {"last_used_at": timedelta(days=15)},  # two weeks without use
    {"created_at": timedelta(days=31), "last_used_at": timedelta(minutes=5)},  # a month after signing in
])
def test_idle_and_old_sessions_end(make_client, make_user, sign_in, age):
    phone = sign_in(make_client(), make_user("Bea"))
    with db.write_transaction():
        db.session.execute(update(DeviceSession).values(**{name: utcnow() - ago for name, ago in age.items()}))
    assert phone.get("/account").status_code == 302
    sign_in(make_client(), db.session.scalar(select(User)))  # the next sign-in clears the ended row
    assert db.session.scalar(select(func.count(DeviceSession.id))) == 1


def test_last_use_is_written_at_most_once_a_minute(make_client, make_user, sign_in, count_queries):
    phone = sign_in(make_client(), make_user("Bea"))
    with count_queries() as queries:
        assert phone.get("/account").status_code == 200
    assert not [q for q in queries if "UPDATE device_sessions" in q]
    long_ago = utcnow() - timedelta(minutes=5)
    with db.write_transaction():
        db.session.execute(update(DeviceSession).values(last_used_at=long_ago))
    assert phone.get("/account").status_code == 200
    assert db.session.scalar(select(DeviceSession.last_used_at)) > long_ago + timedelta(minutes=4)


@pytest.mark.parametrize("user_agent, hint", [
    (ANDROID_CHROME, ("Chrome", "Android")),
    (WINDOWS_FIREFOX, ("Firefox", "Windows")),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.1 Mobile/15E148 Safari/604.1", ("Safari", "iPhone")),
    ("Mozilla/5.0 (Linux; Android 12; SM-A125F) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", ("Samsung Internet", "Android")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0", ("Edge", "Windows")),
    ("", ("", "")),
    ("curl/8.0", ("", "")),
])
def test_a_device_is_named_only_by_browser_and_system(user_agent, hint):
    assert device_hint(user_agent) == hint


def test_an_erased_account_cannot_sign_in(client, make_user):
    bea = make_user("Bea")
    with db.write_transaction():
        db.session.get(User, bea.id).erased_at = db.session.scalar(select(User.created_at))
    response = client.post("/login", data={"login": "Bea", "password": PASSWORD})
    assert response.status_code == 422


def test_account_page_changes_neighbourhood_language_and_email(client, make_user, sign_in, neighbourhood):
    # Joined without a neighbourhood, so her first choice is free (tests/test_moving_home.py: the wait).
    sign_in(client, make_user("Bea", neighbourhood=None))
    barona = neighbourhood("barona")
    response = client.post("/account", data={"email": "bea@example.org",
                                              "home_neighbourhood": str(barona.id), "language": "en"})
    assert response.status_code == 303
    page = client.get("/account")
    assert 'lang="en"' in page.get_data(as_text=True)
    assert "Barona" in text_of(client.get("/"))
    bad = client.post("/account", data={"email": "x", "home_neighbourhood": "-5", "language": "en"})
    assert bad.status_code == 422
    assert "Choose a neighbourhood from the list." in text_of(bad)


def test_changing_the_password_signs_out_other_devices(make_client, make_user, sign_in):
    bea = make_user("Bea")
    phone, laptop = sign_in(make_client(), bea), sign_in(make_client(), bea)
    new = "a new sentence for the courtyard"
    wrong = phone.post("/account/password", data={"current_password": "nope", "password": new, "confirm": new})
    assert wrong.status_code == 422 and "This is not your current password." in text_of(wrong)
    response = phone.post("/account/password",
                          data={"current_password": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 303
    assert phone.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302
    sign_in(make_client(), bea, password=new)

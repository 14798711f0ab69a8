"""Signing in and out, on one device or everywhere, and the session cookie's protections."""
from sqlalchemy import select

from portal import db
from portal.accounts.models import User
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


def test_the_cookie_carries_a_token_not_the_user_id(client, make_user, sign_in):
    bea = make_user("Bea")
    sign_in(client, bea)
    with client.session_transaction() as session:
        assert session["_user_id"] == bea.session_token != str(bea.id)


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

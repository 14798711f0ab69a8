"""Joining with a nickname and a password only; every bad input gets a clear message and a 4xx."""
import pytest
from sqlalchemy import func, select

from portal import db
from portal.accounts.models import Consent, User
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.web import text_of


def _form(**changes):
    form = {"nickname": "Amina", "password": PASSWORD, "confirm": PASSWORD, "email": "",
            "home_neighbourhood": "", "language": "it", "accept_terms": "y"}
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def _users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_the_form_asks_for_nothing_that_identifies_a_person(client, city):
    page = client.get("/join").get_data(as_text=True).lower()
    for name in ("birth", "phone", "document", "fiscal", "codice_fiscale", "residence", "surname"):
        assert f'name="{name}' not in page
    names = set(__import__("re").findall(r'name="([a-z_]+)"', page))
    assert names >= {"nickname", "password", "email", "home_neighbourhood", "accept_terms"}


def test_joining_signs_you_in_and_records_consent(client, neighbourhood):
    barona = neighbourhood("barona")
    response = client.post("/join", data=_form(home_neighbourhood=str(barona.id)))
    assert response.status_code == 303
    home = client.get("/")
    assert "Amina" in text_of(home) and "Barona" in text_of(home)
    user = db.session.scalar(select(User).where(User.nickname == "Amina"))
    assert user.home_neighbourhood_id == barona.id and user.email is None
    assert user.password_hash.startswith("$argon2id$")
    consent = db.session.scalar(select(Consent).where(Consent.user_id == user.id))
    assert consent.kind == "terms" and consent.version == city_terms_version(client)


def city_terms_version(client):
    return client.application.config["TERMS_VERSION"]


def test_joining_without_a_neighbourhood_or_email_is_fine(client, city):
    assert client.post("/join", data=_form()).status_code == 303
    assert _users() == 1


@pytest.mark.parametrize("changes, message", [
    ({"nickname": ""}, "This field is required."),
    ({"nickname": "ab"}, "Use at least 3 characters."),
    ({"nickname": "a" * 31}, "Use at most 30 characters."),
    ({"nickname": "<script>"}, "Use letters and numbers"),
    ({"nickname": "Admin"}, "This nickname is reserved."),
    ({"password": "", "confirm": ""}, "This field is required."),
    ({"password": "short", "confirm": "short"}, "Use at least 8 characters."),
    ({"password": "x" * 129, "confirm": "x" * 129}, "Use at most 128 characters."),
    ({"password": "password123", "confirm": "password123"}, "too common"),
    ({"password": "Juventus2024!", "confirm": "Juventus2024!"}, "too common"),
    ({"password": "Amina is here now", "confirm": "Amina is here now"}, "must not contain your nickname"),
    ({"confirm": "something else entirely"}, "The two passwords do not match."),
    ({"email": "not-an-email"}, "Enter an email address"),
    ({"email": "a" * 250 + "@x.org"}, "Use at most 254 characters."),
    ({"home_neighbourhood": "99999"}, "Choose a neighbourhood from the list."),
    ({"home_neighbourhood": "Barona"}, "Choose a neighbourhood from the list."),
    ({"language": "klingon"}, "Choose a language from the list."),
    ({"accept_terms": None}, "Please accept the rules to join."),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(client, city, changes, message):
    response = client.post("/join", data=_form(**changes))
    assert response.status_code == 422
    assert message in text_of(response)
    assert _users() == 0


def test_a_taken_nickname_is_refused_whatever_its_case(client, make_client, city):
    assert client.post("/join", data=_form()).status_code == 303
    response = make_client().post("/join", data=_form(nickname="AMINA"))
    assert response.status_code == 422
    assert "This nickname is taken." in text_of(response)
    assert _users() == 1


def test_a_taken_email_is_not_revealed(make_client, make_user):
    # Registration must not undo the neutral answer of reset-by-email (tests/test_email_addresses.py).
    make_user("Amina", email="amina@example.org")
    taken, free = make_client(), make_client()
    answers = [client.post("/join", data=_form(nickname=nickname, email=email))
               for client, nickname, email in ((taken, "Other", "AMINA@example.org"),
                                               (free, "Third", "third@example.org"))]
    assert [answer.status_code for answer in answers] == [303, 303]
    assert text_of(taken.get("/")).replace("amina@", "X@").replace("Other", "N") == \
        text_of(free.get("/")).replace("third@", "X@").replace("Third", "N")


def test_a_wrong_csrf_token_is_refused_with_a_translated_page(client, city):
    response = client.post("/join", data=_form(csrf_token="forged"), csrf=False)
    assert response.status_code == 400
    assert "The form has expired" in text_of(response)
    assert _users() == 0


def test_messages_come_in_the_visitors_language(client, city):
    client.post("/language", data={"language": "it", "next": "/join"})
    response = client.post("/join", data=_form(nickname=""))
    assert response.status_code == 422
    assert "Questo campo è obbligatorio." in text_of(response)


def test_signed_in_people_cannot_register_again(client, make_user, sign_in):
    sign_in(client, make_user("Bea"))
    assert client.get("/join").status_code == 403


def test_nicknames_in_any_script_are_welcome(client, city):
    assert client.post("/join", data=_form(nickname="فاطمة")).status_code == 303
    assert "فاطمة" in text_of(client.get("/"))

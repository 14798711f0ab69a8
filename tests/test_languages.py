"""The language comes from the account, else the visitor's choice, else the browser, else Italian."""
import re

import pytest

from tests.fixtures.web import text_of


def _lang(response) -> tuple[str, str]:
    html = response.get_data(as_text=True)
    match = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)">', html)
    return match.group(1), match.group(2)


def test_italian_by_default(client, city):
    response = client.get("/", headers={"Accept-Language": ""})
    assert _lang(response) == ("it", "ltr")
    assert "Come iscriverti" in text_of(response)


@pytest.mark.parametrize("header, expected", [
    ("en-GB,en;q=0.9", "en"),
    ("ar-EG,ar;q=0.9,en;q=0.5", "ar"),
    ("es-PE,es;q=0.9", "es"),
    ("tl-PH,tl;q=0.9", "it"),  # Filipino is not translated yet: Italian, not a broken page
])
def test_the_browser_language_is_used_when_nothing_was_chosen(client, city, header, expected):
    assert _lang(client.get("/", headers={"Accept-Language": header}))[0] == expected


def test_arabic_pages_read_right_to_left(client, city):
    response = client.get("/", headers={"Accept-Language": "ar"})
    assert _lang(response) == ("ar", "rtl")


def test_an_explicit_choice_beats_the_browser(client, city):
    response = client.post("/language", data={"language": "es", "next": "/city"})
    assert response.status_code == 303 and response.headers["Location"] == "/city"
    assert _lang(client.get("/", headers={"Accept-Language": "en"}))[0] == "es"


def test_the_account_language_beats_everything(client, make_user, sign_in):
    sign_in(client, make_user("Bea", language="en"))
    client.post("/language", data={"language": "ar"})  # also saved on the account
    assert _lang(client.get("/", headers={"Accept-Language": "es"}))[0] == "ar"
    client.post("/logout")
    # Signing out keeps the language the person was using on this device.
    assert _lang(client.get("/", headers={"Accept-Language": "es"}))[0] == "ar"


def test_the_account_language_follows_the_person_to_another_device(make_client, make_user, sign_in):
    bea = make_user("Bea", language="es")
    other = sign_in(make_client(), bea)
    assert _lang(other.get("/", headers={"Accept-Language": "it"}))[0] == "es"


@pytest.mark.parametrize("data", [{"language": "xx"}, {}, {"language": "<script>"}])
def test_an_unknown_language_is_refused(client, city, data):
    assert client.post("/language", data=data).status_code == 400


def test_the_language_switch_never_redirects_elsewhere(client, city):
    response = client.post("/language", data={"language": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_each_language_button_names_itself_in_its_own_language(client, city):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html and ">العربية</button>" in html
    assert 'value="es" lang="es" dir="ltr"' in html

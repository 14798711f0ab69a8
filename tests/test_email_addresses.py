"""An email address is used (sign-in, reset links, mail) only after its owner confirms it by the
mailed link; no page tells whether an address belongs to someone else."""
import time
from urllib.parse import urlsplit

import pytest
from flask import current_app
from sqlalchemy import select

from portal import db
from portal.accounts import addresses
from portal.accounts.models import User
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.web import text_of

JOIN = {"password": PASSWORD, "confirm": PASSWORD, "home_neighbourhood": "", "language": "en",
        "accept_terms": "y"}
CONFIRM_PATH = "/email/confirm/"


def _mails(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if "Mail not sent" in record.getMessage()]


def _confirmation_link_in(mail: str) -> str:
    [link] = [word for word in mail.split() if CONFIRM_PATH in word]
    return urlsplit(link).path


def _confirmation_link(caplog) -> str:
    [mail] = [mail for mail in _mails(caplog) if CONFIRM_PATH in mail]
    return _confirmation_link_in(mail)


def _join(client, nickname, email):
    response = client.post("/join", data={**JOIN, "nickname": nickname, "email": email})
    assert response.status_code == 303, text_of(response)
    return db.session.scalar(select(User).where(User.nickname == nickname))


def _signs_in_by_email(make_client, email) -> bool:
    return make_client().post("/login", data={"login": email, "password": PASSWORD}).status_code == 303


def _reset_mail_sent(client, caplog, email) -> bool:
    caplog.clear()
    assert client.post("/reset/email", data={"email": email}).status_code == 303
    return "/reset/email/" in caplog.text


def test_a_new_address_is_used_only_after_its_owner_confirms_it(make_client, city, caplog):
    caplog.set_level("INFO")
    amina = _join(make_client(), "Amina", "Amina@Example.org")
    assert (amina.email, amina.pending_email) == (None, "amina@example.org")
    link = _confirmation_link(caplog)
    assert not _signs_in_by_email(make_client, "amina@example.org")
    assert not _reset_mail_sent(make_client(), caplog, "amina@example.org")

    reader = make_client()  # the mail may be opened on another phone, signed out
    page = reader.get(link)
    # Opening the link (as a mail scanner does) only asks: confirming takes the button.
    assert page.status_code == 200 and "Use amina@example.org for the account Amina?" in text_of(page)
    assert db.session.get(User, amina.id).email is None
    confirmed = reader.post(link)
    assert confirmed.status_code == 303
    assert "Your email address is confirmed." in text_of(reader.get("/"))
    assert _signs_in_by_email(make_client, "amina@example.org")
    assert _reset_mail_sent(make_client(), caplog, "amina@example.org")
    assert reader.get(link).status_code == 404  # spent


def test_joining_with_a_taken_address_attaches_nothing_and_tells_its_owner(make_client, make_user, caplog):
    caplog.set_level("INFO")
    make_user("Amina", email="amina@example.org", language="it")
    client = make_client()
    other = _join(client, "Intruder", "amina@example.org")
    assert other.email is None
    assert "We sent a link to amina@example.org." in text_of(client.get("/"))
    [mail] = _mails(caplog)
    # To the address's owner, in her language: who tried, and that nothing changed.
    assert "To: amina@example.org" in mail and "\u201cIntruder\u201d" in mail and "Amina" in mail
    assert "Qualcuno ha chiesto di usare questo indirizzo" in mail
    assert CONFIRM_PATH not in mail and "/reset/email" in mail
    assert db.session.scalar(select(User.email).where(User.nickname == "Amina")) == "amina@example.org"
    assert _signs_in_by_email(make_client, "amina@example.org")  # still Amina's


def test_changing_the_address_waits_for_the_new_one_to_be_confirmed(make_client, make_user, sign_in, caplog):
    caplog.set_level("INFO")
    bea = make_user("Bea", email="bea@example.org", neighbourhood=None)
    phone = sign_in(make_client(), bea)
    response = phone.post("/account", data={"email": "bea.new@example.org", "home_neighbourhood": "",
                                            "language": "en"})
    assert response.status_code == 303
    shown = text_of(phone.get("/account"))
    assert "We sent a link to bea.new@example.org." in shown
    assert "Waiting for confirmation: open the link we sent to bea.new@example.org." in shown
    assert "Mail still goes to bea@example.org." in shown
    # Until the new address is confirmed, the old one is the one in use.
    assert _signs_in_by_email(make_client, "bea@example.org")
    assert not _signs_in_by_email(make_client, "bea.new@example.org")
    assert phone.post(_confirmation_link(caplog)).status_code == 303
    assert _signs_in_by_email(make_client, "bea.new@example.org")
    assert not _signs_in_by_email(make_client, "bea@example.org")
    assert "Waiting for confirmation" not in text_of(phone.get("/account"))


def test_asking_for_another_address_spends_the_earlier_link(make_client, make_user, sign_in, caplog):
    caplog.set_level("INFO")
    phone = sign_in(make_client(), make_user("Bea", neighbourhood=None))
    phone.post("/account", data={"email": "first@example.org", "home_neighbourhood": "", "language": "en"})
    first = _confirmation_link(caplog)
    caplog.clear()
    phone.post("/account", data={"email": "second@example.org", "home_neighbourhood": "", "language": "en"})
    assert phone.get(first).status_code == 404
    assert phone.post(_confirmation_link(caplog)).status_code == 303
    assert db.session.scalar(select(User.email)) == "second@example.org"


def test_saving_the_form_again_keeps_the_address_waiting_and_the_link_can_be_sent_again(
        make_client, make_user, sign_in, caplog, neighbourhood):
    caplog.set_level("INFO")
    phone = sign_in(make_client(), make_user("Bea", neighbourhood=None))
    phone.post("/account", data={"email": "bea@example.org", "home_neighbourhood": "", "language": "en"})
    assert len(_mails(caplog)) == 1
    # The form shows the waiting address; saving another change neither drops it nor mails again.
    assert 'value="bea@example.org"' in phone.get("/account").get_data(as_text=True)
    phone.post("/account", data={"email": "bea@example.org", "language": "en",
                                 "home_neighbourhood": str(neighbourhood("barona").id)})
    assert len(_mails(caplog)) == 1
    assert db.session.scalar(select(User.pending_email)) == "bea@example.org"
    assert phone.post("/account/email/resend").status_code == 303
    assert len(_mails(caplog)) == 2
    assert phone.post(_confirmation_link_in(_mails(caplog)[-1])).status_code == 303


def test_removing_the_address_needs_no_confirmation(make_client, make_user, sign_in, caplog):
    caplog.set_level("INFO")
    phone = sign_in(make_client(), make_user("Bea", email="bea@example.org", neighbourhood=None))
    assert phone.post("/account", data={"email": "", "home_neighbourhood": "", "language": "en"}) \
        .status_code == 303
    assert db.session.scalar(select(User.email)) is None and _mails(caplog) == []


def test_a_confirmation_link_expires_after_two_days(make_user, client, monkeypatch):
    bea = make_user("Bea")
    with db.write_transaction():
        addresses.ask_to_use(bea, "bea@example.org")
    three_days_ago = time.time() - 3 * 24 * 3600
    with monkeypatch.context() as past, current_app.test_request_context():
        past.setattr(time, "time", lambda: three_days_ago)
        token = addresses.confirmation_token(bea)
    response = client.get(CONFIRM_PATH + token)
    assert response.status_code == 404 and "This link no longer works" in text_of(response)


@pytest.mark.parametrize("token", ["not-a-real-token", "eyJ1IjoxLCJlIjoiYUBiLmMifQ.forged.signature"])
def test_a_forged_confirmation_link_is_refused(client, city, token):
    assert client.get(CONFIRM_PATH + token).status_code == 404
    assert client.post(CONFIRM_PATH + token).status_code == 404


def test_two_accounts_waiting_for_one_address_the_first_to_confirm_keeps_it(make_client, city, caplog):
    caplog.set_level("INFO")
    _join(make_client(), "Amina", "amina@example.org")
    first = _confirmation_link(caplog)
    caplog.clear()
    _join(make_client(), "Amina2", "amina@example.org")
    second = _confirmation_link(caplog)
    assert make_client().post(second).status_code == 303
    late = make_client().post(first)
    assert late.status_code == 422
    assert "This address is already confirmed for another account." in text_of(late)
    assert db.session.scalar(select(User.nickname).where(User.email == "amina@example.org")) == "Amina2"


def test_a_code_from_an_access_point_is_mailed_only_to_a_confirmed_address(make_client, make_user, sign_in,
                                                                            caplog):
    caplog.set_level("INFO")
    amina = make_user("Amina")
    with db.write_transaction():
        addresses.ask_to_use(amina, "amina@example.org")  # never confirmed
    desk = sign_in(make_client(), make_user("Giulia", role="facilitator", group="giambellino-lorenteggio"))
    assert desk.post(f"/access-point/people/{amina.id}/reset-code").status_code == 200
    assert _mails(caplog) == []

"""Resetting a password without email (a code from an access point) and with email (a link)."""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from portal import db
from portal.accounts.models import ResetCode, User
from portal.audit import AuditEntry
from portal.notifications.models import Notification
from tests.fixtures.web import CSRF_INPUT, text_of

NEW = "the courtyard has a new gate"


@pytest.fixture
def facilitator(make_user):
    return make_user("Giulia", role="facilitator", group="giambellino-lorenteggio")


def _issue_code(client, person) -> str:
    response = client.post(f"/access-point/people/{person.id}/reset-code")
    assert response.status_code == 200
    return text_of(response).split("will not be shown again:")[1].split()[0]


def _redeem(client, nickname, code, password=NEW):
    return client.post("/reset", data={"nickname": nickname, "code": code, "password": password,
                                       "confirm": password})


def test_a_facilitator_gives_a_code_and_the_resident_sets_a_new_password(
        make_client, make_user, sign_in, facilitator):
    amina = make_user("Amina")
    desk = sign_in(make_client(), facilitator)
    lookup = desk.post("/access-point/", data={"nickname": "amina"})
    assert lookup.status_code == 303 and lookup.headers["Location"].endswith(f"/people/{amina.id}")
    code = _issue_code(desk, amina)
    assert len(code) == 8 and not set(code) & set("0O1IL5S2Z8B")

    old_phone = sign_in(make_client(), amina)
    resident = make_client()
    # Typed in lower case with a space, as people copy codes from paper.
    response = _redeem(resident, "Amina", code[:4].lower() + " " + code[4:])
    assert response.status_code == 303
    assert "Amina" in text_of(resident.get("/"))
    assert old_phone.get("/account").status_code == 302  # the old password's sessions end
    sign_in(make_client(), amina, password=NEW)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["reset_code.issue", "reset_code.redeem"]


def test_a_code_works_once(make_client, make_user, sign_in, facilitator):
    amina = make_user("Amina")
    code = _issue_code(sign_in(make_client(), facilitator), amina)
    assert _redeem(make_client(), "Amina", code).status_code == 303
    again = _redeem(make_client(), "Amina", code, password="yet another long sentence")
    assert again.status_code == 422
    assert "Ask a facilitator for a new one." in text_of(again)


def test_a_code_expires_after_48_hours(make_client, make_user, sign_in, facilitator):
    amina = make_user("Amina")
    code = _issue_code(sign_in(make_client(), facilitator), amina)
    with db.write_transaction():
        db.session.execute(update(ResetCode).values(
            expires_at=ResetCode.created_at - timedelta(seconds=1)))
    assert _redeem(make_client(), "Amina", code).status_code == 422


def test_the_code_is_stored_hashed(make_client, make_user, sign_in, facilitator):
    amina = make_user("Amina")
    code = _issue_code(sign_in(make_client(), facilitator), amina)
    stored = db.session.scalar(select(ResetCode.code_hash))
    assert code not in stored and len(stored) == 64


def test_a_new_code_cancels_the_previous_one(make_client, make_user, sign_in, facilitator):
    amina = make_user("Amina")
    desk = sign_in(make_client(), facilitator)
    first = _issue_code(desk, amina)
    _issue_code(desk, amina)
    assert _redeem(make_client(), "Amina", first).status_code == 422


def test_a_code_is_for_one_person_only(make_client, make_user, sign_in, facilitator):
    amina, bea = make_user("Amina"), make_user("Bea")
    code = _issue_code(sign_in(make_client(), facilitator), amina)
    assert _redeem(make_client(), "Bea", code).status_code == 422
    assert _redeem(make_client(), "Amina", code).status_code == 303
    assert bea.id


@pytest.mark.parametrize("code, message", [
    ("", "This field is required."),
    ("ABC", "The code has 8 letters and numbers."),
    ("ABCDEFGHJKMN", "The code has 8 letters and numbers."),
])
def test_malformed_codes_get_a_clear_message(client, city, code, message):
    response = _redeem(client, "Amina", code)
    assert response.status_code == 422 and message in text_of(response)


def test_a_facilitator_of_another_neighbourhood_cannot_give_codes(make_client, make_user, sign_in):
    amina = make_user("Amina")  # lives in Giambellino Lorenteggio
    other = make_user("Piero", neighbourhood="barona", role="facilitator", group="barona")
    desk = sign_in(make_client(), other)
    assert desk.post(f"/access-point/people/{amina.id}/reset-code").status_code == 403
    lookup = desk.post("/access-point/", data={"nickname": "Amina"})
    assert lookup.status_code == 422
    assert "Nobody with this nickname lives in a neighbourhood you serve." in text_of(lookup)


def test_residents_cannot_use_the_access_point(make_client, make_user, sign_in):
    amina, bea = make_user("Amina"), make_user("Bea")
    client = sign_in(make_client(), bea)
    assert client.get("/access-point/").status_code == 403
    assert client.post(f"/access-point/people/{amina.id}/reset-code").status_code == 403
    assert db.session.scalar(select(ResetCode.id)) is None


def test_the_coordinator_of_the_municipio_can_help(make_client, make_user, sign_in):
    amina = make_user("Amina")  # Giambellino Lorenteggio is in Municipio 6
    coordinator = make_user("Carla", role="coordinator", municipio=6)
    elsewhere = make_user("Dario", role="coordinator", municipio=1)
    assert sign_in(make_client(), coordinator).get(f"/access-point/people/{amina.id}").status_code == 200
    assert sign_in(make_client(), elsewhere).get(f"/access-point/people/{amina.id}").status_code == 403


def test_a_facilitator_cannot_take_over_the_city_admin_or_other_staff(make_client, make_user, sign_in):
    # The takeover once possible: a Barona facilitator looks up the admin (no home neighbourhood),
    # issues a code and signs in as admin with it. Staff are helped only by someone above them.
    desk = sign_in(make_client(), make_user("Piero", neighbourhood="barona", role="facilitator",
                                            group="barona"))
    admin = make_user("CityAdmin", role="admin", neighbourhood=None)
    coordinator = make_user("Carla", role="coordinator", municipio=6, neighbourhood=None)
    colleague = make_user("Rosa", neighbourhood="barona", role="facilitator", group="barona")
    for person in (admin, coordinator, colleague):
        lookup = desk.post("/access-point/", data={"nickname": person.nickname})
        assert lookup.status_code == 422, person.nickname
        assert desk.get(f"/access-point/people/{person.id}").status_code == 403
        assert desk.post(f"/access-point/people/{person.id}/reset-code").status_code == 403
        assert desk.post(f"/access-point/people/{person.id}/verify").status_code == 403
    assert db.session.scalar(select(ResetCode.id)) is None


def test_the_coordinator_helps_a_facilitator_of_the_municipio(make_client, make_user, sign_in, facilitator):
    desk = sign_in(make_client(), make_user("Carla", role="coordinator", municipio=6))
    code = _issue_code(desk, facilitator)
    assert _redeem(make_client(), "Giulia", code).status_code == 303


def test_the_person_is_told_of_every_code_and_their_new_password_cancels_it(
        make_client, make_user, sign_in, facilitator, caplog):
    caplog.set_level("INFO")
    amina = make_user("Amina", email="amina@example.org", language="it")
    phone = sign_in(make_client(), amina)
    code = _issue_code(sign_in(make_client(), facilitator), amina)
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reset_code.issue")).all()
    assert (entry.subject_id, entry.actor_id) == (amina.id, facilitator.id)
    # Mailed in her own language, not the facilitator's.
    assert "To: amina@example.org" in caplog.text and "Giulia ha dato un codice" in caplog.text
    assert "Giulia ha dato un codice per cambiare la tua password" in text_of(phone.get("/notifications/"))
    new = "my own new sentence for the gate"
    assert phone.post("/account/password", data={"current_password": "a courtyard full of children",
                                                 "password": new, "confirm": new}).status_code == 303
    assert _redeem(make_client(), "Amina", code).status_code == 422


def test_without_an_email_the_code_is_told_in_the_notifications_only(
        make_client, make_user, sign_in, facilitator, caplog):
    caplog.set_level("INFO")
    amina = make_user("Amina")
    _issue_code(sign_in(make_client(), facilitator), amina)
    assert "Mail not sent" not in caplog.text
    assert [n.kind for n in db.session.scalars(select(Notification))] == ["reset_code_issued"]


def test_a_facilitator_confirms_meeting_someone_in_person(make_client, make_user, sign_in, facilitator):
    amina = make_user("Amina")
    desk = sign_in(make_client(), facilitator)
    assert desk.post(f"/access-point/people/{amina.id}/verify").status_code == 303
    amina = db.session.get(User, amina.id)
    assert amina.verified_by_id == facilitator.id and amina.verified_at is not None


# --- by email ----------------------------------------------------------------------------------

def _mailed_link(caplog) -> str:
    """The link in the one reset mail the log shows (development mail goes to the log)."""
    (mail,) = [record.getMessage() for record in caplog.records if "/reset/email/" in record.getMessage()]
    (link,) = [word for word in mail.split() if "/reset/email/" in word]
    return link


def _link_from_log(caplog) -> str:
    return urlsplit(_mailed_link(caplog)).path


def test_a_reset_link_by_email_works_once(client, make_client, make_user, sign_in, caplog):
    caplog.set_level("INFO")
    make_user("Bea", email="bea@example.org")
    response = client.post("/reset/email", data={"email": "BEA@example.org"})
    assert response.status_code == 303
    link = _link_from_log(caplog)
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 303
    assert make_client().get(link).status_code == 404  # spent: the password it was made for changed
    sign_in(make_client(), db.session.scalar(select(User)), password=NEW)


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, city, caplog):
    caplog.set_level("INFO")
    response = client.post("/reset/email", data={"email": "nobody@example.org"})
    assert response.status_code == 303
    assert "/reset/email/" not in caplog.text
    follow = client.get(response.headers["Location"])
    assert "If an account uses that email" in text_of(follow)


def test_a_forged_or_broken_link_is_refused(client, city):
    response = client.get("/reset/email/not-a-real-token")
    assert response.status_code == 404
    assert "This link no longer works" in text_of(response)


@pytest.mark.parametrize("header", ["Host", "X-Forwarded-Host"])
def test_a_reset_link_starts_with_the_public_url_whatever_host_the_request_names(
        make_app, make_user, caplog, header):
    # Behind a proxy, as in production: the forwarded headers are read for the client's address.
    proxied = make_app(TRUSTED_PROXIES=1, PUBLIC_URL="https://cortile.example.org")
    caplog.set_level("INFO")
    make_user("Bea", email="bea@example.org")
    client, forged = proxied.test_client(), {header: "evil.example"}
    form = client.get("/reset/email", headers=forged).get_data(as_text=True)
    response = client.post("/reset/email", headers=forged, data={
        "email": "bea@example.org", "csrf_token": CSRF_INPUT.search(form).group(1)})
    assert response.status_code == 303
    assert _mailed_link(caplog).startswith("https://cortile.example.org/reset/email/")
    assert "evil.example" not in caplog.text

"""Support rights follow one's home neighbourhood, and so cannot hop: a support counts for the
neighbourhood the person lived in when they gave it, and a home changes at most once every
HOME_CHANGE_DAYS (30) days, except when a facilitator at an access point corrects it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select, update

from portal import db
from portal.accounts import service as accounts_service
from portal.accounts.models import User
from portal.audit import AuditEntry
from portal.config import load_settings
from portal.rules import RuleError
from portal.timeutil import utcnow
from proposals import service
from proposals.models import Support
from tests.fixtures.proposals import call, fresh, place_id
from tests.fixtures.web import text_of

BARONA, VILLAPIZZONE = "barona", "villapizzone"


@pytest.fixture
def two_proposals(make_proposal, make_user):
    return (make_proposal(make_user("FromBarona", neighbourhood=BARONA), neighbourhood=BARONA),
            make_proposal(make_user("FromVilla", neighbourhood=VILLAPIZZONE), neighbourhood=VILLAPIZZONE))


def _move(client, slug: str):
    return client.post("/account", data={"email": "", "home_neighbourhood": str(place_id(slug)),
                                         "language": "en"})


def _changed_long_ago(user, days: int = 31) -> None:
    with db.write_transaction():
        db.session.execute(update(User).where(User.id == user.id)
                           .values(home_changed_at=utcnow() - timedelta(days=days)))


def _home(user) -> int | None:
    db.session.rollback()
    return db.session.scalar(select(User.home_neighbourhood_id).where(User.id == user.id))


def _support_places(user) -> list[int | None]:
    return list(db.session.scalars(select(Support.neighbourhood_id).where(Support.user_id == user.id)
                                   .order_by(Support.id)))


def test_a_support_cannot_be_followed_by_a_move_and_a_support_elsewhere(two_proposals, make_user, as_role):
    barona_proposal, villa_proposal = two_proposals
    amina = make_user("Amina", neighbourhood=BARONA)
    client = as_role(amina)
    assert client.post(f"/proposals/{barona_proposal.id}/support", data={}).status_code == 303
    response = _move(client, VILLAPIZZONE)
    assert response.status_code == 422
    assert "You can change your neighbourhood again from" in text_of(response)
    assert "a facilitator at an access point can correct it now" in text_of(response)
    assert _home(amina) == place_id(BARONA)
    assert client.post(f"/proposals/{villa_proposal.id}/support", data={}).status_code == 403
    assert (fresh(barona_proposal).supports_count, fresh(villa_proposal).supports_count) == (1, 0)


def test_after_the_wait_a_move_keeps_the_earlier_support_where_it_was_given(two_proposals, make_user,
                                                                             as_role):
    barona_proposal, villa_proposal = two_proposals
    amina = make_user("Amina", neighbourhood=BARONA)
    _changed_long_ago(amina)
    client = as_role(amina)
    client.post(f"/proposals/{barona_proposal.id}/support", data={})
    assert _move(client, VILLAPIZZONE).status_code == 303
    assert client.post(f"/proposals/{villa_proposal.id}/support", data={}).status_code == 303
    # One person, two neighbourhoods over time: each support counts where she lived when she gave it.
    assert _support_places(amina) == [place_id(BARONA), place_id(VILLAPIZZONE)]
    assert (fresh(barona_proposal).supports_count, fresh(villa_proposal).supports_count) == (1, 1)
    # And the next move waits again.
    assert _move(client, BARONA).status_code == 422 and _home(amina) == place_id(VILLAPIZZONE)


def test_email_and_language_change_freely_while_the_neighbourhood_waits(make_user, as_role):
    amina = make_user("Amina", neighbourhood=BARONA)
    response = as_role(amina).post("/account", data={"email": "amina@example.org",
                                                     "home_neighbourhood": str(place_id(BARONA)),
                                                     "language": "es"})
    assert response.status_code == 303
    db.session.rollback()
    # The new address waits for its mailed link, as any new address does.
    assert (db.session.get(User, amina.id).pending_email, db.session.get(User, amina.id).language) \
        == ("amina@example.org", "es")


def test_someone_who_joined_without_a_neighbourhood_chooses_one_then_waits(make_user, as_role):
    drifter = make_user("Drifter", neighbourhood=None)
    client = as_role(drifter)
    assert _move(client, BARONA).status_code == 303
    assert _move(client, VILLAPIZZONE).status_code == 422 and _home(drifter) == place_id(BARONA)


def test_the_account_page_says_from_when_in_the_persons_language(make_user, as_role):
    amina = make_user("Amina", neighbourhood=BARONA, language="it")
    _changed_long_ago(amina, days=20)  # 30 days from then: ten days from now
    page = text_of(as_role(amina).get("/account"))
    assert "Potrai cambiarlo di nuovo dal" in page
    free = make_user("Bea", neighbourhood=BARONA)
    _changed_long_ago(free)
    assert "after a change, the next one waits 30 days." in text_of(as_role(free).get("/account"))


def test_a_facilitator_corrects_a_home_at_any_time_and_it_is_audited(make_user, as_role):
    amina = make_user("Amina", neighbourhood="giambellino-lorenteggio")
    desk = as_role(make_user("NearFac", role="facilitator", group="giambellino-lorenteggio"))
    assert "Correct the neighbourhood" in text_of(desk.get(f"/access-point/people/{amina.id}"))
    response = desk.post(f"/access-point/people/{amina.id}/home",
                         data={"home_neighbourhood": str(place_id(BARONA))})
    assert response.status_code == 303
    assert _home(amina) == place_id(BARONA)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.correct_home"))
    assert (entry.subject_id, entry.details) == (amina.id, {"before": place_id("giambellino-lorenteggio"),
                                                           "after": place_id(BARONA)})
    # A correction is no way round the wait: her own next change still waits.
    assert _move(as_role(amina), VILLAPIZZONE).status_code == 422


def test_a_correction_needs_a_neighbourhood_from_the_list(make_user, as_role):
    amina = make_user("Amina")
    desk = as_role(make_user("NearFac", role="facilitator", group="giambellino-lorenteggio"))
    response = desk.post(f"/access-point/people/{amina.id}/home", data={"home_neighbourhood": "99999"})
    assert response.status_code == 422 and "Choose a neighbourhood from the list." in text_of(response)
    assert _home(amina) == place_id("giambellino-lorenteggio")
    resident = as_role(make_user("Resident"))
    assert resident.post(f"/access-point/people/{amina.id}/home",
                         data={"home_neighbourhood": str(place_id(BARONA))}).status_code == 403


def test_the_support_service_reads_the_home_under_its_lock(two_proposals, make_user):
    """A move committed while a support waited for the locks ends the right to it."""
    barona_proposal, _villa = two_proposals
    amina = make_user("Amina", neighbourhood=BARONA)  # this copy still says Barona
    with db.write_transaction():
        db.session.execute(update(User).where(User.id == amina.id)
                           .values(home_neighbourhood_id=place_id(VILLAPIZZONE)))
    with pytest.raises(RuleError, match="solo chi abita nel suo quartiere"):
        call(service.support, barona_proposal.id, amina)
    assert fresh(barona_proposal).supports_count == 0


def test_the_wait_is_configurable(make_user, monkeypatch, tmp_path):
    monkeypatch.setenv("CORTILE_HOME_CHANGE_DAYS", "7")
    assert load_settings(tmp_path)["HOME_CHANGE_DAYS"] == 7
    amina = make_user("Amina", neighbourhood=BARONA)
    monkeypatch.setitem(current_app.config, "HOME_CHANGE_DAYS", 0)
    call(accounts_service.update_profile, amina, email=None, home_neighbourhood_id=place_id(VILLAPIZZONE),
         language="en")
    assert _home(amina) == place_id(VILLAPIZZONE)

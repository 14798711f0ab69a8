"""A person's data is theirs (GDPR Art. 15, 17, 20): the download covers, and erasure handles,
every column that names a person, checked against the schema itself so a new table cannot be
forgotten; erasing releases seats and supports, and leaves posts under "former member"."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from events import service as events
from events.models import Registration, RegistrationStatus
from forums.models import Post, PostState, Report, Thread
from portal import audit, db
from portal.accounts import erasure, service
from portal.accounts.models import Consent, DeviceSession, User
from portal.accounts.personal_data import ERASED, NAMES_NOBODY, holders
from portal.audit import AuditEntry
from portal.groups.models import Membership, MembershipRole
from portal.models import Base
from portal.notifications import notify
from portal.rules import RuleError
from portal.notifications.models import Notification
from portal.signals import Signal, actor_key
from proposals.models import Coauthor, Follow, Proposal, ProposalState, Support
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.proposals import request_in_english


def _columns_naming_a_person() -> set[str]:
    return {f"{fk.parent.table.name}.{fk.parent.name}" for table in Base.metadata.tables.values()
            for fk in table.foreign_keys if fk.column.table.name == "users" and fk.column.name == "id"}


def _accounted(app) -> tuple[dict, dict]:
    with app.app_context():
        columns, kept = {}, {}
        for holder in holders():
            columns.update(holder.columns)
            kept.update(holder.kept)
        return columns, kept


def test_every_column_naming_a_person_is_exported_and_erased_or_kept_with_a_reason(app):
    columns, kept = _accounted(app)
    schema = _columns_naming_a_person()
    assert len(schema) > 20, "the walk found the schema's foreign keys"
    forgotten = schema - set(columns) - set(kept)
    assert not forgotten, f"columns naming a person that no holder exports or keeps: {sorted(forgotten)}"
    assert not (set(columns) | set(kept)) - schema, "a holder names a column the schema does not have"
    assert not set(columns) & set(kept)
    assert all(reason.strip() for reason in kept.values())
    assert set(columns.values()) <= {ERASED, NAMES_NOBODY}


def _rows_naming(column: str, user_id: int) -> int:
    table_name, column_name = column.split(".")
    table = Base.metadata.tables[table_name]
    return db.session.scalar(select(func.count()).select_from(table).where(table.c[column_name] == user_id))


@pytest.fixture
def carla(make_user):
    return make_user("Carla")


@pytest.fixture
def everywhere(app, make_user, carla, facilitator, public_group, add_member, make_thread, make_post,
               make_proposal, make_event, enrol, client, sign_in):
    """Bea, with a row in every table that can hold a person's id; Carla waits for Bea's seats."""
    bea = make_user("Bea", email="bea@example.org")
    add_member(bea, public_group)
    add_member(carla, public_group)
    thread = make_thread(public_group, bea, title="Bea's thread", body="Bea opens the thread")
    make_post(thread, carla, body="Carla answers")
    carla_thread = make_thread(public_group, carla, title="Carla's thread", body="Carla writes")
    make_post(carla_thread, bea, body="Bea replies to Carla")
    carla_post = db.session.scalar(select(Post).where(Post.thread_id == carla_thread.id))
    make_proposal(author=bea, state=ProposalState.DRAFT, title="Bea's draft idea")
    make_proposal(author=bea, title="Bea's published idea")
    carla_idea = make_proposal(author=carla, title="Carla's open idea")
    event = make_event(capacity=2)
    enrol(event, bea, adults=2)
    enrol(event, carla)
    with request_in_english(), db.write_transaction():
        db.session.add_all([
            Report(post_id=carla_post.id, reporter_id=bea.id, reason="other", note="Bea's note"),
            Support(proposal_id=carla_idea.id, user_id=bea.id),
            Follow(proposal_id=carla_idea.id, user_id=bea.id),
            Coauthor(proposal_id=carla_idea.id, user_id=bea.id, invited_by_id=carla.id),
        ])
        db.session.flush()
        db.session.get(Proposal, carla_idea.id).supports_count = 1
        service.issue_reset_code(db.session.get(User, bea.id), db.session.get(User, facilitator.id))
        events.new_calendar_token(bea)
        service.grant_role(db.session.get(User, bea.id), "coordinator", municipio_number=9)
        audit.record("group.approve", "user", carla.id, actor_id=bea.id)
        notify(carla.id, "reply", nickname="Bea", thread="Carla's thread")
    sign_in(client, bea)
    return {"bea": db.session.get(User, bea.id), "event": event, "carla_idea": carla_idea, "thread": thread}


def test_the_fixture_reaches_every_column_erasure_handles(app, everywhere):
    columns, _kept = _accounted(app)
    empty = [column for column in columns if _rows_naming(column, everywhere["bea"].id) == 0]
    assert not empty, f"the test person has no row here, so nothing proves it is exported and erased: {empty}"


def test_the_download_holds_every_part_and_no_secrets(client, everywhere):
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    assert {key for key, rows in data.items() if not rows} == set(), "every part has Bea's rows"
    assert data["account"][0]["nickname"] == "Bea" and data["account"][0]["email"] == "bea@example.org"
    assert {row["text"] for row in data["posts"]} == {"Bea opens the thread", "Bea replies to Carla"}
    assert [row["proposal"] for row in data["supports"]] == ["Carla's open idea"]
    assert data["registrations"][0]["adults"] == 2
    text = response.get_data(as_text=True)
    bea = everywhere["bea"]
    assert bea.password_hash not in text
    assert not any(row.secret_hash in text for row in db.session.scalars(select(DeviceSession)))
    assert "Carla answers" not in text, "what others wrote is theirs"


def test_the_readable_page_shows_the_same(client, everywhere):
    page = client.get("/account/data").get_data(as_text=True)
    for words in ("Bea opens the thread", "Bea replies to Carla", "Carla&#39;s open idea", "bea@example.org",
                  "Laboratorio di lettura", "Bea&#39;s note", "Your calendar link"):
        assert words in page
    assert 'href="/account/data.json"' in page
    assert "<dd>Registered</dd>" in page and "<dd>confirmed</dd>" not in page, "codes read as words"
    assert "<dd>Password code given</dd>" in page and "reset_code.issue" not in page


def _erase(client, password=PASSWORD, posts="keep"):
    return client.post("/account/erase", data={"password": password, "posts": posts})


def test_a_wrong_password_erases_nothing(client, everywhere):
    response = _erase(client, password="not my password at all")
    assert response.status_code == 422
    assert "This is not the password." in response.get_data(as_text=True)
    assert db.session.get(User, everywhere["bea"].id).erased_at is None


def test_erasing_needs_the_pages_token(client, everywhere):
    response = client.post("/account/erase", data={"password": PASSWORD, "posts": "keep"}, csrf=False)
    assert response.status_code in (400, 422)
    assert db.session.get(User, everywhere["bea"].id).erased_at is None


def test_erasure_leaves_nobody_behind(app, client, make_client, everywhere, carla):
    bea = everywhere["bea"]
    signals_before = db.session.scalar(select(func.count(Signal.id)))
    people_before = db.session.scalar(select(func.count(func.distinct(Signal.actor_key))))
    response = _erase(client)
    assert response.status_code == 303

    columns, _kept = _accounted(app)
    left = [c for c, fate in columns.items() if fate == ERASED and _rows_naming(c, bea.id)]
    assert not left, f"rows still naming the erased person: {left}"
    shell = db.session.get(User, bea.id)
    assert shell.erased_at is not None
    assert (shell.stored_nickname, shell.email, shell.pending_email, shell.home_neighbourhood_id) == ("", None, None, None)
    assert db.session.scalar(select(func.count(Consent.id)).where(Consent.user_id == bea.id)) == 0

    # Signed out here, and the account opens nowhere again.
    assert client.get("/account").status_code in (302, 401)
    assert make_client().post("/login", data={"login": "Bea", "password": PASSWORD}).status_code == 422
    assert make_client().post("/login", data={"login": "bea@example.org", "password": PASSWORD}).status_code == 422
    # Carla moves up from the waiting list, through the events' own promotion, and is told.
    carla_row = db.session.scalar(select(Registration).where(Registration.user_id == carla.id))
    assert carla_row.status == RegistrationStatus.CONFIRMED
    assert db.session.scalar(select(Notification.id).where(Notification.user_id == carla.id,
                                                           Notification.kind == "event_promoted"))
    # Carla's notifications keep what happened, not who.
    reply = db.session.scalar(select(Notification).where(Notification.user_id == carla.id,
                                                         Notification.kind == "reply"))
    with request_in_english():
        assert reply.message() == "former member replied in \u201cCarla's thread\u201d."
    # The open proposal loses the support; the draft goes; the published one stays, unnamed.
    assert db.session.get(Proposal, everywhere["carla_idea"].id).supports_count == 0
    titles = set(db.session.scalars(select(Proposal.title)))
    assert "Bea's draft idea" not in titles and "Bea's published idea" in titles

    # Signals: as many as before and as many people, none of them keyed to the account's id.
    assert db.session.scalar(select(func.count(Signal.id))) >= signals_before
    with app.app_context():
        assert db.session.scalar(select(func.count(Signal.id)).where(Signal.actor_key == actor_key(bea.id))) == 0
    assert db.session.scalar(select(func.count(func.distinct(Signal.actor_key)))) == people_before

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.erase"))
    assert (entry.subject_id, entry.actor_id, entry.reason, entry.details) == (bea.id, None, "", {"by": "self", "posts": "kept"})
    with db.write_transaction():  # the nickname is free for someone new
        service.register(nickname="Bea", password=PASSWORD, email=None, home_neighbourhood_id=None, language="it")


def test_kept_posts_read_former_member(client, make_client, everywhere, carla, sign_in):
    assert _erase(client).status_code == 303
    reader = sign_in(make_client(), carla)
    page = reader.get(f"/forums/threads/{everywhere['thread'].id}").get_data(as_text=True)
    assert "Bea opens the thread" in page and "former member" in page
    assert ">Bea<" not in page


def test_removed_posts_are_gone_with_the_threads_they_opened(client, everywhere):
    assert _erase(client, posts="remove").status_code == 303
    posts = db.session.scalars(select(Post).where(Post.author_id == everywhere["bea"].id)).all()
    assert posts and all(p.state == PostState.DELETED and p.body == "" for p in posts)
    thread = db.session.get(Thread, everywhere["thread"].id)
    assert thread.deleted_at is not None and thread.title == ""


def test_the_confirm_page_says_what_goes_and_asks_for_the_password(client, everywhere):
    page = client.get("/account/erase").get_data(as_text=True)
    assert "This cannot be undone." in page and 'name="password"' in page
    assert 'value="keep"' in page and 'value="remove"' in page


def test_the_account_page_shows_consents_and_the_way_to_the_data(client, everywhere):
    page = client.get("/account").get_data(as_text=True)
    assert "The rules of Cortile" in page and "To withdraw it, erase your account." in page
    assert 'href="/account/data"' in page and 'href="/account/erase"' in page


# --- at an access point --------------------------------------------------------------------------

@pytest.fixture
def at_desk(make_client, sign_in, facilitator, make_user):
    """Giulia, facilitator in Giambellino, with Dora, a resident there who asked for help."""
    return sign_in(make_client(), facilitator), make_user("Dora")


def test_a_facilitator_downloads_for_someone_present_and_it_is_recorded(at_desk, facilitator):
    desk, dora = at_desk
    person_page = desk.get(f"/access-point/people/{dora.id}").get_data(as_text=True)
    assert f'href="/access-point/people/{dora.id}/data"' in person_page
    assert f'href="/access-point/people/{dora.id}/erase"' in person_page
    assert desk.get(f"/access-point/people/{dora.id}/data").status_code == 200
    response = desk.get(f"/access-point/people/{dora.id}/data.json")
    assert json.loads(response.get_data(as_text=True))["account"][0]["nickname"] == "Dora"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.export")).all()
    assert [(e.actor_id, e.subject_id) for e in entries] == [(facilitator.id, dora.id)] * 2


def test_a_facilitator_erases_only_with_the_person_present_and_their_own_password(at_desk, facilitator):
    desk, dora = at_desk
    url = f"/access-point/people/{dora.id}/erase"
    refused = desk.post(url, data={"password": PASSWORD, "posts": "keep"})
    assert refused.status_code == 422 and "only with its owner present" in refused.get_data(as_text=True)
    assert desk.post(url, data={"password": "wrong password here", "posts": "keep", "present": "y"}).status_code == 422
    assert db.session.get(User, dora.id).erased_at is None
    assert desk.post(url, data={"password": PASSWORD, "posts": "keep", "present": "y"}).status_code == 303
    assert db.session.get(User, dora.id).erased_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.erase"))
    assert (entry.actor_id, entry.subject_id) == (facilitator.id, dora.id)
    assert desk.get(f"/access-point/people/{dora.id}/data").status_code == 403, "nobody left to help"


def test_a_facilitator_elsewhere_cannot_reach_the_person(make_client, sign_in, make_user, add_member, seeded_group):
    elsewhere = make_user("Franco", neighbourhood="loreto")
    add_member(elsewhere, seeded_group("loreto"), role=MembershipRole.FACILITATOR)
    desk = sign_in(make_client(), elsewhere)
    dora = make_user("Dora")
    assert desk.get(f"/access-point/people/{dora.id}/data.json").status_code == 403
    assert desk.post(f"/access-point/people/{dora.id}/erase",
                     data={"password": PASSWORD, "posts": "keep", "present": "y"}).status_code == 403
    assert db.session.get(User, dora.id).erased_at is None


def test_an_unknown_person_is_not_found(make_client, sign_in, facilitator):
    desk = sign_in(make_client(), facilitator)
    assert desk.get("/access-point/people/999999/data").status_code == 404


def test_a_support_past_its_window_leaves_the_result_on_record(app, make_user, make_proposal):
    bea = make_user("Bea")
    idea = make_proposal(state=ProposalState.UNDER_REVIEW, title="Reached and reviewed")
    with db.write_transaction():
        db.session.add(Support(proposal_id=idea.id, user_id=bea.id))
        db.session.get(Proposal, idea.id).supports_count = 1
    with request_in_english(), db.write_transaction():
        erasure.erase(db.session.get(User, bea.id), None, remove_posts=False)
    assert db.session.get(Proposal, idea.id).supports_count == 1
    assert db.session.scalar(select(func.count(Support.id))) == 0


def test_an_account_is_erased_once(app, make_user):
    bea = make_user("Bea")
    with request_in_english(), db.write_transaction():
        erasure.erase(db.session.get(User, bea.id), None, remove_posts=False)
    with request_in_english(), pytest.raises(RuleError), db.write_transaction():
        erasure.erase(db.session.get(User, bea.id), None, remove_posts=False)

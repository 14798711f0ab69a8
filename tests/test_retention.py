"""Accounts unused for CORTILE_RETENTION_MONTHS (24 by default) are told, then erased after the
notice unless their owner signs in: `flask --app portal erase-inactive`, run daily."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal import db
from portal.accounts.models import DeviceSession, User
from portal.audit import AuditEntry
from portal.notifications.models import Notification
from portal.timeutil import utcnow

MONTH = timedelta(days=30.44)


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        result = runner.invoke(args=["erase-inactive", *args])
        db.session.rollback()
        db.session.expire_all()
        assert result.exit_code == 0, result.output
        return result.output
    return invoke


def _unused_for(user, age: timedelta) -> None:
    with db.write_transaction():
        db.session.execute(update(User).where(User.id == user.id).values(last_active_at=utcnow() - age))


def _told_days_ago(user, days: int) -> None:
    with db.write_transaction():
        db.session.execute(update(User).where(User.id == user.id)
                           .values(inactivity_warned_at=utcnow() - timedelta(days=days)))


def _notices(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "account_unused")))


def test_the_default_is_two_years_with_a_months_notice(app):
    assert (app.config["RETENTION_MONTHS"], app.config["RETENTION_NOTICE_DAYS"]) == (24, 30)


def test_an_unused_account_is_told_first_then_erased_after_the_notice(run, make_user, caplog):
    bea = make_user("Bea", email="bea@example.org")
    _unused_for(bea, 25 * MONTH)
    with caplog.at_level(logging.INFO):
        assert "Told 1 people" in run()
    assert len(_notices(bea)) == 1
    assert any("Your Cortile account will be erased" in r.getMessage() and "bea@example.org" in r.getMessage()
               for r in caplog.records)
    assert db.session.get(User, bea.id).erased_at is None, "told, not erased yet"

    assert "Told 0 people" in run() and len(_notices(bea)) == 1, "told once"
    assert db.session.get(User, bea.id).erased_at is None

    _told_days_ago(bea, 31)
    assert "erased 1 accounts" in run()
    assert db.session.get(User, bea.id).erased_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.erase"))
    assert (entry.actor_id, entry.details) == (None, {"by": "retention", "posts": "kept"})


def test_people_are_told_a_notice_before_the_limit(run, make_user):
    soon, later = make_user("Soon"), make_user("Later")
    _unused_for(soon, 24 * MONTH - timedelta(days=10))
    _unused_for(later, 12 * MONTH)
    run()
    assert len(_notices(soon)) == 1 and _notices(later) == []
    _told_days_ago(soon, 31)
    run()
    assert db.session.get(User, soon.id).erased_at is None, "not erased before the limit itself"


def test_signing_in_after_the_notice_keeps_the_account(run, make_user, client, sign_in):
    bea = make_user("Bea")
    _unused_for(bea, 25 * MONTH)
    run()
    sign_in(client, bea)
    _told_days_ago(bea, 31)  # as if the notice had run out: it was given before her last use
    run()
    person = db.session.get(User, bea.id)
    assert person.erased_at is None and person.last_active_at > utcnow() - timedelta(minutes=5)


def test_a_dry_run_changes_nothing(run, make_user):
    bea = make_user("Bea")
    _unused_for(bea, 25 * MONTH)
    assert "Would tell 1 people and erase 0 accounts." in run("--dry-run")
    assert _notices(bea) == [] and db.session.get(User, bea.id).inactivity_warned_at is None


def test_using_a_signed_in_phone_counts_as_use(make_client, make_user, sign_in):
    """Retention counts from the last use, not only the last sign-in: a phone that stays signed
    in keeps its account."""
    bea = make_user("Bea")
    phone = sign_in(make_client(), bea)
    long_ago = utcnow() - timedelta(minutes=5)
    with db.write_transaction():
        db.session.execute(update(DeviceSession).values(last_used_at=long_ago))
        db.session.execute(update(User).values(last_active_at=long_ago))
    assert phone.get("/account").status_code == 200
    assert db.session.get(User, bea.id).last_active_at > long_ago + timedelta(minutes=4)

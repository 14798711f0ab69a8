"""Password guessing is slowed per account, whatever the spelling of the name, without locking the
real person out; reset codes are capped per account too; production refuses limits that each
worker would count alone. Counters are tried in memory and in Redis."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.accounts import throttle
from portal.config import PROJECT_ROOT
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.web import text_of

FREE = throttle.FREE_FAILURES


@pytest.fixture(params=["memory", "redis"])
def browser(request, make_client):
    """A factory of browsers, each with its own cookies, on limits kept in memory or in Redis."""
    if request.param == "memory":
        return make_client
    application, _connection, _prefix = request.getfixturevalue("redis_app")
    return application.test_client


def _try(client, login, password="not the password"):
    return client.post("/login", data={"login": login, "password": password})


def test_every_spelling_of_a_name_counts_against_the_same_account(browser, make_user):
    make_user("Bea")
    spellings = ["Bea", "BEA", "Ｂｅａ", " bea ", "ＢＥＡ"]  # full-width letters sign in as Bea too
    assert [_try(browser(), login).status_code for login in spellings[:FREE]] == [422] * FREE
    waiting = _try(browser(), "Ｂｅａ", PASSWORD)
    assert waiting.status_code == 429
    assert "Too many wrong passwords for this account. To protect it, wait 1 minute" in text_of(waiting)
    # Another account is not affected.
    make_user("Carla")
    assert _try(browser(), "Carla", PASSWORD).status_code == 303


def test_the_persons_own_phone_still_signs_in_while_a_guesser_waits(browser, make_user):
    make_user("Bea")
    phone = browser()
    assert _try(phone, "Bea", PASSWORD).status_code == 303
    phone.post("/logout")
    for _ in range(FREE + 2):  # from elsewhere
        _try(browser(), "Bea")
    assert _try(browser(), "Bea", PASSWORD).status_code == 429  # a new browser waits
    assert _try(phone, "Bea", PASSWORD).status_code == 303  # hers does not
    assert _try(browser(), "Bea", PASSWORD).status_code == 429  # and her sign-in frees no guesser


def test_a_trusted_phone_that_keeps_failing_is_trusted_no_more(make_client, make_user):
    make_user("Bea")
    phone = make_client()
    assert _try(phone, "Bea", PASSWORD).status_code == 303
    phone.post("/logout")
    statuses = [_try(phone, "bea").status_code for _ in range(throttle.DEVICE_FAILURES + FREE)]
    assert statuses == [422] * (throttle.DEVICE_FAILURES + FREE)
    assert _try(phone, "Bea", PASSWORD).status_code == 429


def test_a_forged_device_cookie_is_worth_nothing(make_client, make_user):
    make_user("Bea")
    for _ in range(FREE):
        _try(make_client(), "Bea")
    forger = make_client()
    forger.set_cookie(throttle.DEVICE_COOKIE, "eyJuIjoiYSIsImEiOlsiYiJdfQ.forged", path="/login")
    assert _try(forger, "Bea", PASSWORD).status_code == 429


def test_each_failure_after_the_free_ones_doubles_the_wait_up_to_a_quarter_hour(make_client, make_user,
                                                                                 monkeypatch):
    make_user("Bea")
    for _ in range(FREE):
        _try(make_client(), "Bea")
    clock = time.time()
    monkeypatch.setattr(time, "time", lambda: clock)
    told = []
    for _ in range(6):
        waiting = text_of(_try(make_client(), "Bea", PASSWORD))
        told.append(waiting.split("wait ")[1].split(" and try")[0])
        clock += throttle.MAX_WAIT + 1  # as if the person waited long enough
        assert _try(make_client(), "Bea").status_code == 422
    assert told == ["1 minute", "2 minutes", "4 minutes", "8 minutes", "15 minutes", "15 minutes"]
    clock += throttle.MAX_WAIT + 1
    assert _try(make_client(), "Bea", PASSWORD).status_code == 303  # waited: the right password works


def _redeem(client, nickname, code):
    return client.post("/reset", data={"nickname": nickname, "code": code, "password": "a brand new gate key",
                                       "confirm": "a brand new gate key"})


def test_reset_code_tries_are_capped_per_account_from_any_address(make_client, make_user, sign_in):
    amina = make_user("Amina")
    desk = sign_in(make_client(), make_user("Giulia", role="facilitator", group="giambellino-lorenteggio"))
    code = text_of(desk.post(f"/access-point/people/{amina.id}/reset-code")) \
        .split("will not be shown again:")[1].split()[0]

    def from_address(number):
        client = make_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        return client

    wrong = ["ACDEFGHJ", "KMNPQRTU"] * 5
    statuses = [_redeem(from_address(n), "Ａｍｉｎａ" if n % 2 else "amina", guess).status_code
                for n, guess in enumerate(wrong)]
    assert statuses == [422] * 10
    assert _redeem(from_address(99), "Amina", code).status_code == 429
    # Another person's code is not affected.
    bea = make_user("Bea")
    other = text_of(desk.post(f"/access-point/people/{bea.id}/reset-code")).split("will not be shown again:")[1].split()[0]
    assert _redeem(from_address(98), "Bea", other).status_code == 303


def _gunicorn(tmp_path, app, workers: int, storage: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x" * 40,
           "CORTILE_INSTANCE_PATH": str(tmp_path), "CORTILE_ENV": "production",
           "CORTILE_PUBLIC_URL": "https://cortile.example.org", "RATELIMIT_STORAGE_URI": storage}
    return subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b", "127.0.0.1:0",
         "portal:create_app()"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_refuses_in_memory_limits_with_several_workers(tmp_path, app):
    refused = _gunicorn(tmp_path, app, 2, "memory://")
    assert refused.returncode != 0
    assert "RATELIMIT_STORAGE_URI is memory:// with 2 gunicorn workers" in refused.stderr


def test_the_email_instead_of_the_name_counts_against_the_same_account(make_client, make_user):
    make_user("Bea", email="bea@example.org")
    logins = ["Bea", "BEA@example.org", "bea", "bea@example.org", "Ｂｅａ"]
    assert [_try(make_client(), login).status_code for login in logins] == [422] * FREE
    assert _try(make_client(), "bea@example.org", PASSWORD).status_code == 429

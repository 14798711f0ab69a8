"""Test set-up: one database per run (SQLite file or a fresh PostgreSQL database), migrated with
Alembic once, emptied before each test. Fixtures are split by domain in tests/fixtures/.

CORTILE_TEST_DATABASE selects the engine: "sqlite" (default) or a PostgreSQL URL. Where PostgreSQL
or Chromium is missing, those tests skip with a message, except in CI (CI=true), where they fail.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import assets, create_app, db
from portal.config import DEVELOPMENT_PUBLIC_URL
from portal.extensions import limiter
from portal.migrations import upgrade_to_head
from portal.models import Base

pytest_plugins = [
    "tests.fixtures.web",
    "tests.fixtures.places",
    "tests.fixtures.accounts",
    "tests.fixtures.groups",
    "tests.fixtures.forums",
    "tests.fixtures.events",
    "tests.fixtures.proposals",
    "tests.fixtures.server",
]

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """Compile the .po files, so tests see the translations as committed (not a stale .mo)."""
    from babel.messages.frontend import CommandLineInterface

    from portal.config import PROJECT_ROOT

    CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(PROJECT_ROOT / "translations")])


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Argon2 at production cost takes ~0.1 s a hash; tests hash hundreds. The production
    parameters are checked on their own in test_passwords.py."""
    from argon2 import PasswordHasher

    from portal.accounts import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield production
    passwords._hasher = production


def unavailable(reason: str):
    """Skip, or fail in CI, where every part of the suite is mandatory."""
    if IN_CI:
        pytest.fail(f"{reason} (mandatory in CI)", pytrace=False)
    pytest.skip(reason)


def _postgres_database(url: str) -> str:
    """Drop and create the test database, so every run starts from nothing."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    except Exception as error:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        unavailable(f"PostgreSQL is not reachable at {target.host}:{target.port}: {error}")
    finally:
        admin.dispose()
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    choice = os.environ.get("CORTILE_TEST_DATABASE", "sqlite")
    if choice == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    return _postgres_database(choice)


@pytest.fixture(scope="session")
def app_settings(database_url, static_build) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
        # The development default, whatever the developer's shell exports.
        "PUBLIC_URL": DEVELOPMENT_PUBLIC_URL,
        "STATIC_BUILD_DIR": str(static_build),
    }


@pytest.fixture(scope="session")
def static_build(tmp_path_factory):
    """portal/static built as `make static` builds it; here, so a stale or missing static-build/
    in the working tree decides nothing."""
    folder = tmp_path_factory.mktemp("static")
    assets.build(target=folder)
    return folder


@pytest.fixture(scope="session")
def make_app(app_settings, tmp_path_factory):
    """Build an app on the test database, with extra settings for the test that needs them."""
    apps = []
    os.environ.setdefault("CORTILE_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))

    def factory(**overrides):
        application = create_app({**app_settings, **overrides})
        apps.append(application)
        return application

    yield factory
    for application in apps:
        application.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def _apps(make_app):
    """Two apps on one database: requests run in `web`, the test's own reads and writes in `data`.

    Flask reuses an app context that is already pushed for the same app, so if a test held the web
    app's context, every request would share its `g` (the signed-in user, the db session) and two
    clients would see each other's sessions. A twin app gives each request a context of its own.
    """
    web, data = make_app(), make_app()
    with data.app_context():
        upgrade_to_head()
    return web, data


@pytest.fixture
def app(_apps):
    """The web app, with an empty database and fresh rate-limit counters; the test body runs in
    the data app's context, so `db.session` is the test's own session."""
    web, data = _apps
    with data.app_context():
        with db.engine().begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
        limiter.reset()
        yield web
        db.session.rollback()

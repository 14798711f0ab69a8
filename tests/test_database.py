"""The schema comes only from Alembic, and SQLite is configured for a busy small server."""
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from portal import db
from portal.migrations import alembic_config, migrating
from portal.models import Base
from portal.text import SANITISER_VERSION


def test_migrations_produce_exactly_the_models_schema(app):
    # The app fixture's database was built by running every migration; any difference from the
    # models (a column, index, constraint or type) means a migration is missing.
    with db.engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def _sqlite_only(app):
    if db.engine().dialect.name != "sqlite":
        pytest.skip("SQLite connection settings")


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(app):
    _sqlite_only(app)
    with db.engine().connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(app):
    from portal.places.models import Neighbourhood

    db.session.add(Neighbourhood(slug="nowhere", name="Nowhere", municipio_id=999))
    with pytest.raises(Exception, match="(?i)foreign key"):
        db.session.commit()
    db.session.rollback()


def test_a_write_transaction_holds_the_lock_from_its_first_read(app):
    _sqlite_only(app)
    db.begin_write()
    db.session.execute(text("SELECT 1"))  # only a read so far, yet the write lock is ours
    other = create_engine(app.config["DATABASE_URL"], connect_args={"timeout": 0})
    try:
        with other.connect() as connection, pytest.raises(OperationalError, match="locked"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        other.dispose()
        db.session.rollback()


def test_revision_0008_ties_notifications_already_sent_to_their_group(tmp_path):
    """So that a ban also hides what was sent before the upgrade (a file of its own, on SQLite)."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'upgrade.sqlite3'}")
    config = alembic_config()
    try:
        with migrating(engine) as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0005")
            connection.execute(text(
                "INSERT INTO users (id, nickname, nickname_key, password_hash, language, session_token, created_at) "
                "VALUES (1, 'Bea', 'bea', 'x', 'it', 't', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO groups (id, slug, name, about, kind, visibility, join_policy, created_at) "
                "VALUES (7, 'mamme', 'Mamme', '', 'mutual_aid', 'members', 'approval', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO threads (id, group_id, author_id, title, created_at, last_activity_at, pinned, locked) "
                "VALUES (3, 7, 1, 'Pulmino', '2026-01-01', '2026-01-01', false, false)"))
            for number, (kind, link) in enumerate([("reply", "/forums/threads/3?page=2#post-9"),
                                                   ("thread_locked", "/forums/threads/3"),
                                                   ("join_approved", "/groups/mamme"),
                                                   ("reply", "/forums/threads/404")], start=1):
                connection.execute(text(
                    "INSERT INTO notifications (id, user_id, kind, params, link, created_at) "
                    "VALUES (:id, 1, :kind, '{}', :link, '2026-01-02')"), {"id": number, "kind": kind, "link": link})
            command.upgrade(config, "head")
            groups = connection.execute(text("SELECT id, group_id FROM notifications ORDER BY id")).all()
            changed = connection.execute(text("SELECT home_changed_at FROM users")).scalar()
    finally:
        engine.dispose()
    assert [tuple(row) for row in groups] == [(1, 7), (2, 7), (3, None), (4, None)]
    assert changed is None  # Bea chose no home when she joined: her first choice is free


def test_revision_0010_stores_the_html_of_the_posts_already_written(tmp_path):
    """So that pages of an upgraded forum show their posts without rendering them (on SQLite)."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'upgrade.sqlite3'}")
    config = alembic_config()
    try:
        with migrating(engine) as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0009")
            connection.execute(text(
                "INSERT INTO users (id, nickname, nickname_key, password_hash, language, created_at) "
                "VALUES (1, 'Bea', 'bea', 'x', 'it', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO groups (id, slug, name, about, kind, visibility, join_policy, created_at) "
                "VALUES (7, 'mamme', 'Mamme', '', 'mutual_aid', 'members', 'approval', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO threads (id, group_id, author_id, title, created_at, last_activity_at, pinned, locked) "
                "VALUES (3, 7, 1, 'Pulmino', '2026-01-01', '2026-01-01', false, false)"))
            connection.execute(text(
                "INSERT INTO posts (id, thread_id, author_id, is_opening, body, created_at, state, moderation_reason) "
                "VALUES (5, 3, 1, true, 'Chi ha **libri**? <script>x</script>', '2026-01-01', 'visible', '')"))
            command.upgrade(config, "head")
            stored = connection.execute(text("SELECT body_html, text_version FROM posts")).one()
    finally:
        engine.dispose()
    assert tuple(stored) == ("<p>Chi ha <strong>libri</strong>? &lt;script&gt;x&lt;/script&gt;</p>\n",
                             SANITISER_VERSION)

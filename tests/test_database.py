"""The schema comes only from Alembic, and SQLite is configured for a busy small server."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from portal import db
from portal.models import Base


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

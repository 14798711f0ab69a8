"""Runs the Alembic migrations in migrations/ from inside the app (CLI, `make run`, tests)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from portal import db
from portal.config import PROJECT_ROOT


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection to migrate on, in one transaction. On SQLite, changing a table (batch mode)
    copies it, drops the original and renames the copy: with foreign keys enforced, the drop fails
    as soon as other rows point at the table (every notification points at a user). So enforcement
    is off while migrating (SQLite ignores the pragma inside a transaction, hence before begin), and
    the links are checked before the commit: a migration that broke one is rolled back."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # On the driver's own connection: through SQLAlchemy it would run after our BEGIN.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.execute(text("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"a migration broke foreign keys: {broken[:5]!r}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def upgrade_to_head() -> None:
    config = alembic_config()
    with migrating(db.engine()) as connection:
        # env.py uses this connection, so migrations run on exactly the app's database.
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

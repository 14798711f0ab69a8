"""Runs the Alembic migrations in migrations/ from inside the app (CLI, `make run`, tests)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from portal import db
from portal.config import PROJECT_ROOT


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def upgrade_to_head() -> None:
    config = alembic_config()
    with db.engine().begin() as connection:
        # env.py uses this connection, so migrations run on exactly the app's database.
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

"""Alembic environment: the app's own engine settings, and every model's metadata."""
from alembic import context

from portal.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    # Run by hand with the `alembic` command: build the app to read DATABASE_URL.
    from portal import create_app
    from portal.db import engine

    with create_app().app_context(), engine().begin() as new_connection:
        run_migrations(new_connection)

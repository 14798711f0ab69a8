"""Database engine and the request-scoped session.

SQLAlchemy 2 without Flask-SQLAlchemy: one engine per app, one session per app context, removed at
teardown. On SQLite the connection runs in WAL with foreign keys and a busy timeout, and a transaction
can ask to take the write lock up front (BEGIN IMMEDIATE) so that read-then-write requests queue
instead of failing with "database is locked" halfway through.
"""
from __future__ import annotations

import enum
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from flask import Flask, current_app, g, request
from sqlalchemy import Enum, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from werkzeug.local import LocalProxy

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# How long a SQLite writer waits for the write lock. SQLite's busy handler polls (every 100 ms at
# most), so under a burst on a loaded machine an unlucky writer can lose many rounds in a row: 25 s
# leaves room for that and stays under gunicorn's 30 s worker timeout. Past it, the visitor gets
# the "try again in a minute" page (errors.is_outage), never a 500.
SQLITE_BUSY_TIMEOUT_MS = 25000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def str_enum(cls: type[enum.Enum]) -> Enum:
    """A Python enum stored as its string value, not a native PostgreSQL ENUM, so adding a value
    is a one-line migration on both engines."""
    return Enum(cls, native_enum=False, length=20, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _make_sqlite_folder(url)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _make_sqlite_folder(url: str) -> None:
    """SQLite creates the file but not its folder (instance/ on a fresh clone, when nothing has
    written a key there yet): without it the first migrate fails with "unable to open database file"."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # pysqlite's own transaction handling would defer BEGIN and ignore IMMEDIATE: turn it off
        # and emit BEGIN ourselves in on_begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def _get_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is None:
        return
    try:
        db_session.close()
    except Exception as error:
        if not connection_lost(error):
            raise
        # The connection broke after the request had done its work (its answer is ready, its writes
        # committed): the server drops what was not committed, and the pool replaces the connection.
        current_app.logger.warning("Database connection lost while closing the session: %s", error)


def database_busy(error: BaseException | None) -> bool:
    """SQLite's write lock stayed taken for the whole busy timeout: too many writers at once, not a
    bug in the request. Nothing of it was saved, and trying again shortly works."""
    return (isinstance(error, DBAPIError) and isinstance(error.orig, sqlite3.OperationalError)
            and "database is locked" in str(error.orig))


def connection_lost(error: BaseException | None) -> bool:
    """The database could not be reached or the connection broke (a stop, a restart, a cut network):
    not a bug in the request, and worth trying again."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error.orig, (psycopg.OperationalError,
                                                                       psycopg.InterfaceError))
    return isinstance(error, (DisconnectionError, psycopg.OperationalError, psycopg.InterfaceError))


session: Session = LocalProxy(_get_session)  # type: ignore[assignment]


def begin_write() -> None:
    """Start this request's transaction holding SQLite's write lock (a no-op on PostgreSQL).

    Call before the first query of a request that reads and then writes; on PostgreSQL the rules
    use row locks or conditional updates instead.
    """
    if session.in_transaction():
        return
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def begin_snapshot() -> None:
    """Start this request's transaction as a read-only one in which every statement sees the same
    moment of the database, for a report whose figures are read in several statements and must add
    up. Call it before the first query of the transaction.

    PostgreSQL's default (READ COMMITTED) gives each statement the commits made before it, so a
    report read while residents act would mix two moments; REPEATABLE READ keeps the first
    statement's snapshot. SQLite in WAL mode already reads one snapshot per transaction.
    """
    if engine().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ",
                                              "postgresql_readonly": True})
    else:
        session.connection()


def no_upfront_write_lock(view):
    """Mark a POST view that mostly reads (signing in): it takes the lock only when it writes."""
    view.no_upfront_write_lock = True
    return view


def needs_upfront_write_lock() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method == "POST" and not getattr(view, "no_upfront_write_lock", False)


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Commit on success, roll back on any error: nothing is ever half-saved."""
    begin_write()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise

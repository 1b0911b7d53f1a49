"""The async engine and session factory for SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

# The drivers' loggers would write SQL with its parameter values (a has-voted mark next to a
# ballot, at DEBUG); they are capped whatever LOG_LEVEL says, and errors hide parameters too.
QUIET_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm", "aiosqlite", "asyncpg")


def quiet_drivers() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def create_engine(url: str) -> AsyncEngine:
    quiet_drivers()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # A pool as wide as the updates in flight: past pool_size every returned connection was
        # closed and the next one opened afresh (throughput benchmark, 200 people at once).
        return create_async_engine(
            url, pool_pre_ping=True, pool_size=20, max_overflow=10, hide_parameters=True
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # One connection: every transaction takes SQLite's single write lock anyway (below), and
    # waiting for the pool is a queue in the event loop, where waiting for the lock was
    # SQLite's busy handler sleeping in steps of up to 100 ms while the lock stood free.
    engine = create_async_engine(
        url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, hide_parameters=True
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # WAL lets readers work while one writer commits; busy_timeout waits for that writer.
        # The driver's own transaction handling is switched off so that BEGIN is ours (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Deleted rows are overwritten, not left in free pages (the ballot box rewritten at closing).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
        # Take the write lock up front: two transactions that read and then write would
        # otherwise deadlock on the lock upgrade, and SQLite gives up on one at once.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


SessionFactory = async_sessionmaker[AsyncSession]

# The session of the update being handled, so that a Bot API call can end its transaction first.
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

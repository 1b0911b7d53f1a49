"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import bot.db.models  # noqa: F401
from bot.db.engine import create_engine
from bot.db.migrate import current_revision, upgrade


async def test_upgrade_is_complete_and_idempotent(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        await upgrade(engine)  # a second start changes nothing
        assert await current_revision(engine) is not None

        def diff(connection):  # type: ignore[no-untyped-def]
            return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)

        async with engine.connect() as connection:
            assert await connection.run_sync(diff) == []
    finally:
        await engine.dispose()

"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import bot.db.models  # noqa: F401
from bot.db.engine import create_engine
from bot.db.migrate import current_revision, downgrade, revisions, upgrade


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


def _schema(connection):  # type: ignore[no-untyped-def]
    """Tables with their columns (name, type, nullable), indexes, unique constraints and foreign
    keys: what a downgrade must give back exactly."""
    inspector = inspect(connection)
    return {
        table: (
            sorted(
                (column["name"], str(column["type"]), column["nullable"])
                for column in inspector.get_columns(table)
            ),
            sorted(
                (str(index["name"]), tuple(map(str, index["column_names"])), bool(index["unique"]))
                for index in inspector.get_indexes(table)
            ),
            sorted(tuple(map(str, u["column_names"])) for u in inspector.get_unique_constraints(table)),
            sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                for fk in inspector.get_foreign_keys(table)
            ),
        )
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


async def test_stairway_every_revision_up_down_up(database_url: str) -> None:
    """Each revision, one step at a time: upgrade, downgrade to the one before, upgrade again.

    The downgrade must leave the schema exactly as the revision before left it, and the second
    upgrade must work on what the downgrade left (a downgrade that forgets an index or a type
    fails here). Covers whatever revisions exist: new ones join by themselves.
    """
    chain = revisions()
    assert len(chain) >= 7 and len(set(chain)) == len(chain)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            before = await connection.run_sync(_schema)
        previous = "base"
        for revision in chain:
            await upgrade(engine, revision)
            async with engine.connect() as connection:
                after = await connection.run_sync(_schema)
            await downgrade(engine, previous)
            async with engine.connect() as connection:
                assert await connection.run_sync(_schema) == before, f"downgrade of {revision}"
            assert await current_revision(engine) == (None if previous == "base" else previous)
            await upgrade(engine, revision)
            async with engine.connect() as connection:
                assert await connection.run_sync(_schema) == after, f"upgrade of {revision} again"
            assert await current_revision(engine) == revision
            before, previous = after, revision

        def diff(connection):  # type: ignore[no-untyped-def]
            return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)

        async with engine.connect() as connection:
            assert await connection.run_sync(diff) == []
        # And all the way down from the head, then up again.
        await downgrade(engine, "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_schema) == {}
        await upgrade(engine)
        assert await current_revision(engine) == chain[-1]
    finally:
        await engine.dispose()

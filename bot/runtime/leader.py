"""One replica at a time runs the clock's jobs: a PostgreSQL advisory lock elects it per tick.

The jobs are safe to run twice anyway (compare-and-set states, outbox keys); the lock just keeps
replicas from doing the same reads and writes at the same moment. SQLite means one process, so
there every tick leads.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@asynccontextmanager
async def leadership(engine: AsyncEngine, name: str) -> AsyncIterator[bool]:
    """True inside when this process holds the lock `name` (released on leaving)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(name)
    async with engine.connect() as connection:
        held = bool(
            (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})).scalar()
        )
        await connection.commit()
        try:
            yield held
        finally:
            if held:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                await connection.commit()

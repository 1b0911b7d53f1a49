"""INSERT … ON CONFLICT DO NOTHING, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlmodel.ext.asyncio.session import AsyncSession


def insert_ignoring_conflicts(session: AsyncSession, model: type, values: dict[str, Any]) -> Insert:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).values(**values).on_conflict_do_nothing()

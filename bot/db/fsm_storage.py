"""aiogram's FSM state and data kept in the bot's own database, for when there is no Redis.

One row per conversation key (table `fsm_states`, primary key = the aiogram key string), so a
draft's state survives a restart of the bot (issue 14, fault 9): pressing a button of a draft
made before the restart continues the flow. Reads are one primary-key lookup; writes one upsert.
A conversation cleared (no state, no data: `state.clear()`) leaves no row behind, so the table
holds only conversations in progress and no draft text outlives its conversation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import current_session
from bot.db.models import FsmState

_TABLE = FsmState.__table__  # type: ignore[attr-defined]


class DatabaseStorage(BaseStorage):
    """FSM storage on the SQLite/PostgreSQL engine the bot already uses.

    `key` is aiogram's StorageKey, written as one string by DefaultKeyBuilder with every field
    (bot id, business connection, chat, thread, user, destiny). State is the state's name or None;
    data is a JSON-serialisable dict (as with RedisStorage). Errors of the database propagate.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.key_builder = DefaultKeyBuilder(
            prefix="fsm", with_bot_id=True, with_business_connection_id=True, with_destiny=True
        )
        dialect = engine.dialect.name
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def _upsert(self, key: StorageKey, **values: Any) -> None:
        """Write `values`; when that leaves the row with neither state nor data, delete it."""
        statement = self._insert(_TABLE).values(key=self._key(key), **values)
        statements = [statement.on_conflict_do_update(index_elements=["key"], set_=values)]
        if all(value is None for value in values.values()):
            empty = and_(_TABLE.c.key == self._key(key), _TABLE.c.state.is_(None), _TABLE.c.data.is_(None))
            statements.append(delete(_TABLE).where(empty))
        session = current_session.get()
        if session is not None:
            # Inside an update: in its transaction (one connection on SQLite), committed with the
            # handler's own writes, so a draft and its state are saved together or not at all.
            connection = await session.connection()
            for each in statements:
                await connection.execute(each)
            return
        async with self.engine.begin() as connection:
            for each in statements:
                await connection.execute(each)

    async def _row(self, key: StorageKey) -> Any:
        query = select(_TABLE.c.state, _TABLE.c.data).where(_TABLE.c.key == self._key(key))
        session = current_session.get()
        if session is not None:
            return (await (await session.connection()).execute(query)).first()
        async with self.engine.connect() as connection:
            return (await connection.execute(query)).first()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        await self._upsert(key, state=name)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._row(key)
        return row.state if row is not None else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        await self._upsert(key, data=json.dumps(data, ensure_ascii=False) if data else None)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._row(key)
        if row is None or not row.data:
            return {}
        return dict(json.loads(row.data))

    async def close(self) -> None:
        """The engine belongs to the runtime, which disposes of it."""

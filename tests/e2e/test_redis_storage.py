"""With REDIS_URL the FSM state lives in Redis, shared by every process of the bot."""

from __future__ import annotations

from pathlib import Path

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.exceptions import RedisError

from bot.runtime.app import create_storage
from tests.conftest import REDIS_URL, drop_redis_keys, make_settings, service_missing


async def test_redis_storage_round_trip(data_dir: Path) -> None:
    settings = make_settings("sqlite+aiosqlite:///:memory:", data_dir, redis_url=REDIS_URL)
    storage = create_storage(settings)
    assert isinstance(storage, RedisStorage)
    key = StorageKey(bot_id=1, chat_id=1001, user_id=1001)
    try:
        await storage.set_state(key, "Suggestion:text")
    except (OSError, ConnectionError, RedisError) as error:
        await storage.close()
        await drop_redis_keys(REDIS_URL, settings.redis_prefix)
        service_missing(f"Redis at {REDIS_URL}", error)
    try:
        await storage.set_data(key, {"draft": "路灯坏了"})
        other = create_storage(settings)  # a second replica sees the same state
        assert await other.get_state(key) == "Suggestion:text"
        assert await other.get_data(key) == {"draft": "路灯坏了"}
        # Every key carries this run's prefix (REDIS_PREFIX), so runs sharing the database stay apart.
        keys = [k.decode() async for k in storage.redis.scan_iter(match="*:1001:1001*")]
        assert keys and all(k.startswith(f"{settings.redis_prefix}:fsm:") for k in keys), keys
        await other.close()
    finally:
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        await storage.close()
        await drop_redis_keys(REDIS_URL, settings.redis_prefix)

"""Shared fixtures: settings, a real database (SQLite and PostgreSQL), the sandbox."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.sandbox.session import Sandbox
from bot.services.areas import SAMPLE_AREAS, AreaService, read_area_file
from bot.services.roster import RosterService, read_roster
from tests.ci import POSTGRES_PREFIX, REDIS_PREFIX, in_ci

IN_CI = in_ci()
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ADMIN_ID = 9001

# Hypothesis: in CI the same examples every run and no per-example deadline (a loaded runner is
# slow, not wrong); on a laptop, fresh random examples. HYPOTHESIS_PROFILE=ci|dev chooses by hand.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))


def shows_id(text: str, telegram_id: int | str) -> bool:
    """Whether a Telegram id appears as a number of its own: not inside a hash, a time or an amount."""
    return re.search(rf"(?<![0-9A-Za-z]){telegram_id}(?![0-9A-Za-z])", text) is not None


async def drop_redis_keys(url: str, prefix: str) -> None:
    """Delete this run's keys (never FLUSHDB: another run may share the database)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        async for key in redis.scan_iter(match=f"{prefix}:*", count=500):
            await redis.delete(key)
    finally:
        await redis.aclose()


def service_missing(what: str, error: BaseException) -> None:
    """Outside CI a missing service skips the test; in CI it fails it."""
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it")
    pytest.skip(f"{message}; these tests run in CI, where it is started")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


async def _fresh_postgres_database() -> tuple[str, str]:
    import asyncpg

    url = make_url(POSTGRES_URL)
    name = f"{POSTGRES_PREFIX}{uuid.uuid4().hex[:12]}"
    try:
        connection = await asyncpg.connect(
            user=url.username or "postgres",
            password=url.password,
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            database=url.database or "postgres",
            timeout=5,
        )
    except (OSError, asyncpg.PostgresError) as error:
        service_missing(f"PostgreSQL at {url.host}:{url.port}", error)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False), name


async def _drop_postgres_database(name: str) -> None:
    import asyncpg

    url = make_url(POSTGRES_URL)
    connection = await asyncpg.connect(
        user=url.username or "postgres",
        password=url.password,
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        database=url.database or "postgres",
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    url, name = await _fresh_postgres_database()
    yield url
    await _drop_postgres_database(name)


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "admin_ids": frozenset({ADMIN_ID}),
        "bot_token": None,
        "redis_url": None,
        "redis_prefix": REDIS_PREFIX,
        "telegram_api_base": None,
        "sandbox_record": None,
        "api_max_retries": 3,
        # Tests run at any hour: no quiet hours unless a test sets them; and the outbox may
        # write to one chat quickly (the local server's per-chat limit is lenient too).
        "quiet_start": "00:00",
        "quiet_end": "00:00",
        "outbox_chat_rate": 50.0,
        "outbox_chat_burst": 50,
        "outbox_rate": 200.0,
        "outbox_poll_seconds": 0.2,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(database_url: str, data_dir: Path) -> Settings:
    return make_settings(database_url, data_dir)


@pytest.fixture
async def sandbox(settings: Settings) -> AsyncIterator[Sandbox]:
    async with Sandbox(settings, idle_timeout=20) as running:
        yield running
        assert not running.failures, f"the bot raised: {running.failures}"


ROSTER = """name,telegram_id,street,liaison_station
张伟,2001,莲花街道,莲花街道人大代表联络站
李娜,2002,莲花,
"""


async def seed_areas_and_roster(sandbox: Sandbox, roster: str = ROSTER) -> None:
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        await AreaService(session).import_district(read_area_file(SAMPLE_AREAS))
        await session.flush()
        await RosterService(session, sandbox.clock).import_rows(read_roster(roster))
        await session.commit()

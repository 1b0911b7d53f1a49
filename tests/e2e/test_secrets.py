"""Secrets a production run needs (issue 13, faults 1 and 7): no webhook without a secret token, no
public pseudonym key outside the sandbox."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.config import DEFAULT_PSEUDONYM_SECRET, ConfigError
from bot.keys import SECRET_FILE, ensure_pseudonym_secret, webhook_secret
from bot.runtime.app import build_runtime
from bot.sandbox.server import SANDBOX_TOKEN, FakeTelegramServer
from bot.web.webhook import SECRET_HEADER, build_app
from tests.conftest import ADMIN_ID, make_settings
from tests.e2e.steps import serve

SECRET = "a-long-enough-secret-token"


async def run_cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
            **env,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), 240)  # start-up is slow on a busy machine
    return process.returncode or 0, err.decode()


@pytest.mark.parametrize("secret", ["", "short"])
async def test_webhook_mode_refuses_an_empty_or_weak_secret(tmp_path: Path, secret: str) -> None:
    # As docker compose's replicas profile passes it when WEBHOOK_SECRET is unset in .env.
    code, err = await run_cli(
        tmp_path,
        "webhook",
        BOT_TOKEN=SANDBOX_TOKEN,
        PSEUDONYM_SECRET="a-private-key",
        WEBHOOK_URL="https://bot.example.org/webhook",
        WEBHOOK_SECRET=secret,
        WEBHOOK_PORT="1",  # never reached: it must stop before listening
    )
    assert code == 2
    assert err.strip().count("\n") == 0 and "WEBHOOK_SECRET" in err
    assert not (tmp_path / "prod.db").exists()  # refused before touching anything


async def test_the_webhook_app_cannot_be_built_without_a_secret(database_url: str, data_dir: Path) -> None:
    runtime = await build_runtime(make_settings(database_url, data_dir), token=SANDBOX_TOKEN)
    try:
        with pytest.raises(ValueError):
            build_app(runtime, "")
    finally:
        await runtime.close()
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        webhook_secret(make_settings(database_url, data_dir, webhook_url="https://x", webhook_secret=""))


async def test_a_forged_webhook_post_without_the_secret_is_refused(database_url: str, data_dir: Path) -> None:
    server = FakeTelegramServer()
    base = await server.start()
    runtime = await build_runtime(make_settings(database_url, data_dir), token=SANDBOX_TOKEN, api_base=base)
    runner, url = await serve(build_app(runtime, SECRET))
    shown: list = []  # type: ignore[type-arg]
    server.world.observers.append(shown.append)
    admin = server.world.person(ADMIN_ID, "办公室", "zh-hans")
    # The attacker writes the update himself, "from" the admin, and posts it without the header.
    forged = {
        "update_id": 777,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": admin.id, "type": "private"},
            "from": {"id": admin.id, "is_bot": False, "first_name": "办公室"},
            "text": "/deputies",
            "entities": [{"type": "bot_command", "offset": 0, "length": 9}],
        },
    }
    try:
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {SECRET_HEADER: ""}, {SECRET_HEADER: SECRET[:-1]}):
                async with http.post(f"{url}/webhook", json=forged, headers=headers) as response:
                    assert response.status == 401
        await asyncio.sleep(0.2)
        assert shown == [] and runtime.activity.started == 0
    finally:
        await runner.cleanup()
        await runtime.close()
        await server.stop()


def test_a_production_run_creates_a_private_pseudonym_key_once(tmp_path: Path) -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db", tmp_path / "data")
    assert settings.pseudonym_secret.get_secret_value() == DEFAULT_PSEUDONYM_SECRET
    created = ensure_pseudonym_secret(settings)
    assert created == tmp_path / "data" / SECRET_FILE
    key = settings.pseudonym_secret.get_secret_value()
    assert key != DEFAULT_PSEUDONYM_SECRET and len(key) >= 32
    assert created.stat().st_mode & 0o077 == 0  # readable by the bot's user only
    again = make_settings("sqlite+aiosqlite:///x.db", tmp_path / "data")
    assert ensure_pseudonym_secret(again) is None  # read back, not created anew
    assert again.pseudonym_secret.get_secret_value() == key
    given = make_settings("sqlite+aiosqlite:///x.db", tmp_path / "other", pseudonym_secret="office-key")
    assert ensure_pseudonym_secret(given) is None
    assert given.pseudonym_secret.get_secret_value() == "office-key"
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize("placeholder", ["change-me", DEFAULT_PSEUDONYM_SECRET])
async def test_a_production_run_refuses_a_public_pseudonym_key(tmp_path: Path, placeholder: str) -> None:
    code, err = await run_cli(tmp_path, "run", BOT_TOKEN=SANDBOX_TOKEN, PSEUDONYM_SECRET=placeholder)
    assert code == 2
    assert err.strip().count("\n") == 0 and "PSEUDONYM_SECRET" in err

"""Webhook mode: the local server POSTs updates; acknowledged after handling; redeliveries ignored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiogram import Router

from bot.runtime.app import Runtime, build_runtime
from bot.sandbox.server import SANDBOX_TOKEN, FakeTelegramServer
from bot.web.webhook import SECRET_HEADER, build_app
from tests.conftest import make_settings
from tests.e2e.steps import serve

SECRET = "s3cret-token"
METRICS_TOKEN = "metrics-reader-token"


@pytest.fixture
async def webhook(
    database_url: str, data_dir: Path
) -> AsyncIterator[tuple[FakeTelegramServer, Runtime, str]]:
    server = FakeTelegramServer()
    base = await server.start()
    runtime = await build_runtime(
        make_settings(database_url, data_dir, metrics_token=METRICS_TOKEN), token=SANDBOX_TOKEN, api_base=base
    )
    runner, url = await serve(build_app(runtime, SECRET))
    await runtime.bot.set_webhook(f"{url}/webhook", secret_token=SECRET)
    yield server, runtime, url
    await runner.cleanup()
    await runtime.close()
    await server.stop()


async def until(condition, seconds: float = 10) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError


async def test_updates_arrive_by_webhook_and_are_answered(webhook) -> None:  # type: ignore[no-untyped-def]
    server, runtime, url = webhook
    shown = []
    server.world.observers.append(shown.append)
    person = server.world.person(1001, "王阿姨", "zh-hans")
    update = server.world.send_text(person, "/start")
    await until(lambda: shown and server.webhook_answers[200] == 1)  # answered after handling
    assert shown[0].text.startswith("您好，王阿姨！")
    assert not server.world.pending  # acknowledged, so Telegram forgets it
    # Telegram may deliver the same update again: it is acknowledged and not handled twice.
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/webhook", json=update, headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
        async with http.post(f"{url}/webhook", json=update, headers={SECRET_HEADER: "wrong"}) as response:
            assert response.status == 401
        async with http.get(f"{url}/healthz") as response:
            assert response.status == 200 and (await response.json()) == {"status": "ok"}
        async with http.get(f"{url}/metrics") as response:
            assert response.status == 404  # not without the token (issue 13, fault 9)
        async with http.get(f"{url}/metrics", headers={"Authorization": "Bearer wrong"}) as response:
            assert response.status == 404
        auth = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        async with http.get(f"{url}/metrics", headers=auth) as response:
            metrics = await response.text()
    assert len(shown) == 1
    assert 'minsheng_updates_total{outcome="handled"} 1' in metrics
    assert 'minsheng_updates_total{outcome="duplicates"} 1' in metrics
    assert 'minsheng_updates_total{outcome="rejected"} 1' in metrics
    assert 'minsheng_outbox_deliveries{status="pending"} 0' in metrics
    assert 'minsheng_sends_total{result="sent"}' in metrics
    # With a webhook set, long polling is refused, as Telegram refuses it.
    with pytest.raises(Exception, match="Conflict"):
        await runtime.bot.get_updates()


async def test_a_handler_error_is_apologised_for_and_acknowledged_once(webhook) -> None:  # type: ignore[no-untyped-def]
    server, runtime, _url = webhook
    from aiogram.filters import Command

    broken = Router(name="broken")
    calls = []

    @broken.message(Command("boom"))
    async def boom(message: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise SystemError("the first time only")

    handled_first(runtime, broken)
    person = server.world.person(1001)
    shown: list = []  # type: ignore[type-arg]
    server.world.observers.append(shown.append)
    server.world.send_text(person, "/boom")
    await until(lambda: len(calls) >= 1 and not server.world.pending)
    # The error handler apologised: the update is handled (acknowledged), not redelivered forever.
    assert len(calls) == 1 and server.webhook_answers[200] == 1
    await until(lambda: shown)
    assert shown[0].text == "抱歉，处理时出了点问题，您的操作没有完成。请稍后再试。"


def handled_first(runtime: Runtime, router: Router) -> None:
    """`router` included in the dispatcher ahead of the bot's own routers (which answer any text)."""
    runtime.dispatcher.include_router(router)
    routers = runtime.dispatcher.sub_routers
    routers.insert(0, routers.pop())


def failing_router(failures: int):  # type: ignore[no-untyped-def]
    """A /save handler whose database is down for its first `failures` calls."""
    from aiogram.filters import Command
    from sqlalchemy.exc import OperationalError

    router = Router(name="flaky")
    calls: list[int] = []

    @router.message(Command("save"))
    async def save(message) -> None:  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError("INSERT …", {}, ConnectionRefusedError("database is down"))
        await message.answer("saved")

    return router, calls


async def test_fault_8_a_database_failure_is_answered_500_and_redelivered(webhook) -> None:  # type: ignore[no-untyped-def]
    server, runtime, _url = webhook
    router, calls = failing_router(2)
    handled_first(runtime, router)
    shown: list = []  # type: ignore[type-arg]
    server.world.observers.append(shown.append)
    server.world.send_text(server.world.person(1001), "/save")
    await until(lambda: not server.world.pending)
    # Two 500s, Telegram delivered it again each time, the third attempt saved it; no apology.
    assert len(calls) == 3 and server.webhook_answers[500] == 2 and server.webhook_answers[200] == 1
    assert [s.text for s in shown] == ["saved"]


async def test_fault_8_a_poison_update_is_dropped_after_n_attempts(webhook, caplog) -> None:  # type: ignore[no-untyped-def]
    from bot.web.webhook import POISON_ATTEMPTS

    server, runtime, _url = webhook
    router, calls = failing_router(1000)
    handled_first(runtime, router)
    shown: list = []  # type: ignore[type-arg]
    server.world.observers.append(shown.append)
    update = server.world.send_text(server.world.person(1001), "/save")
    await until(lambda: not server.world.pending, seconds=20)
    assert len(calls) == POISON_ATTEMPTS
    assert server.webhook_answers[500] == POISON_ATTEMPTS - 1 and server.webhook_answers[200] == 1
    assert [s.text for s in shown] == ["抱歉，处理时出了点问题，您的操作没有完成。请稍后再试。"]
    assert f"update {update['update_id']} dropped after {POISON_ATTEMPTS} failed attempts" in caplog.text

"""What anyone on the internet can ask (issue 13, faults 9 and 10): the board parses ids and years
strictly (404/400, never a traceback), /healthz says ok or not without internals, /metrics needs
its token."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.db.engine import create_engine
from bot.sandbox.session import Sandbox
from bot.web.board import Board, build_board_app, parse_year, row_id
from bot.web.webhook import build_app


async def test_board_ids_and_years_are_parsed_strictly(sandbox: Sandbox) -> None:
    runtime = sandbox.runtime
    board = Board(runtime.session_factory, runtime.i18n, runtime.settings, runtime.bot)
    client = TestClient(TestServer(build_board_app(board)))
    await client.start_server()
    try:
        for path in (
            "/projects/99999999999999999999",
            "/projects/9223372036854775808",
            "/en/projects/" + "9" * 5000,
            "/projects/٣",  # an Arabic-Indic digit matches the route's \d
            "/api/projects/99999999999999999999",
            "/media/99999999999999999999",
        ):
            response = await client.get(path)
            body = await response.text()
            assert response.status == 404, path
            assert "Traceback" not in body and len(body) < 200, path
        for year in ("²", "٢٠٢٧", "9" * 5000, "20277", "-2027", "0999", " 2027"):
            response = await client.get("/", params={"year": year})
            assert response.status == 400, year
            assert len(await response.text()) < 200
            response = await client.get("/api/projects", params={"year": year})
            assert response.status == 400, year
        assert (await client.get("/", params={"year": "2027"})).status == 200
    finally:
        await client.close()


def test_parsers() -> None:
    assert parse_year("2027") == 2027 and parse_year("²") is None and parse_year("1899") is None
    assert row_id("42") == 42
    with pytest.raises(web.HTTPNotFound):
        row_id("9" * 20)


async def test_health_says_ok_or_not_and_metrics_need_the_token(sandbox: Sandbox) -> None:
    runtime = sandbox.runtime
    runtime.settings.metrics_token = None
    client = TestClient(TestServer(build_app(runtime, "a-long-enough-secret-token")))  # type: ignore[arg-type]
    await client.start_server()
    try:
        assert (await client.get("/metrics")).status == 404  # no token configured: off
        healthy = await client.get("/healthz")
        assert healthy.status == 200 and await healthy.json() == {"status": "ok"}
        # The database goes away: the answer says so, and nothing about hosts, ports or drivers.
        real = runtime.engine
        runtime.engine = create_engine("postgresql+asyncpg://minsheng:pw@127.0.0.1:1/minsheng")  # type: ignore[misc]
        try:
            broken = await client.get("/healthz")
            text = await broken.text()
        finally:
            await runtime.engine.dispose()
            runtime.engine = real  # type: ignore[misc]
        assert broken.status == 503 and await broken.json() == {"status": "unhealthy"}
        assert "127.0.0.1" not in text and "minsheng" not in text and "asyncpg" not in text
    finally:
        await client.close()

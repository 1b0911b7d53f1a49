"""The board in a real browser: headless Chromium (Debian's package) driven by Playwright.

Checks what a resident sees on a phone-sized screen, the language switch and the project page,
and keeps screenshots in tests/artifacts/. Runs in CI (which installs Chromium); elsewhere it is
skipped when Chromium or Playwright is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.sandbox.session import Sandbox
from bot.web.board import Board, build_board_app
from tests.ci import in_ci
from tests.e2e.steps import LAMP_PHOTO as LAMP
from tests.e2e.steps import report_with_photo, serve

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

try:
    from playwright.async_api import async_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None  # type: ignore[assignment]

needs_browser = pytest.mark.skipif(
    (CHROMIUM is None or async_playwright is None) and not in_ci(),
    reason="needs Debian's chromium and the playwright package (CI installs both)",
)


@needs_browser
async def test_the_board_in_chromium(sandbox: Sandbox) -> None:
    assert CHROMIUM is not None and async_playwright is not None, "CI must have chromium and playwright"
    await report_with_photo(sandbox)
    runtime = sandbox.runtime
    board = Board(runtime.session_factory, runtime.i18n, runtime.settings, runtime.bot)
    runner, url = await serve(build_board_app(board))
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            # A phone's screen, and no JavaScript: the pages must work without it.
            page = await browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
            await page.goto(f"{url}/")
            assert await page.locator("h1").inner_text() == "民生实事项目公示"
            card = page.locator(".card").first
            assert "新建社区长者饭堂" in await card.inner_text()
            assert await card.locator("[role=progressbar]").get_attribute("aria-valuenow") == "60"
            await page.screenshot(path=str(ARTIFACTS / "board-zh.png"), full_page=True)
            await page.click("text=English")
            assert await page.locator("h1").inner_text() == "Livelihood Projects Board"
            assert "Elderly care and relief" in await page.content()
            await page.click("text=新建社区长者饭堂")
            assert "/en/projects/1" in page.url
            timeline = await page.locator("main").inner_text()
            assert "Timeline" in timeline and "内部装修进行中。" in timeline
            photo = page.locator("main img")
            assert await photo.count() == 1
            image = await page.request.get(f"{url}{await photo.get_attribute('src')}")
            assert image.ok and await image.body() == LAMP.read_bytes()
            await page.screenshot(path=str(ARTIFACTS / "board-project-en.png"), full_page=True)
            await browser.close()
    finally:
        await runner.cleanup()
    assert (ARTIFACTS / "board-zh.png").stat().st_size > 10_000

"""What a curious or hostile person found by pressing forged buttons (the security review).

Each test replays one finding end to end through the local Bot API server (each failed before
its fix). The refusal wording is not prescribed: a refused press is an alert, a refused
message a reply, and the bot raises nothing (no traceback, no "抱歉，处理时出了点问题" apology).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import func, select

from bot.db.models import CastBallot, PaperEntry, RoundVoter
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID, make_settings
from tests.e2e.steps import prepare_round, rows, seed_project, the_round

APOLOGY = "抱歉，处理时出了点问题"
STRANGER = 7777  # never said /start
SECOND_ADMIN, THIRD_ADMIN = 9002, 9003
# A callback field typed `int` takes any integer aiogram can parse; the databases hold 64 bits.
HUGE = "99999999999999999999"


def raised(sandbox: Sandbox, before: int) -> list[str]:
    """What the bot raised since `before` failures (and forget it, so teardown reports the test's
    own assertion, not the same failure again)."""
    found = [repr(error) for _update, error in sandbox.failures[before:]]
    sandbox.runtime.activity.failures.clear()  # type: ignore[union-attr]
    return found


async def open_round_with_admins(database_url: str, data_dir: Path) -> Sandbox:
    """A started sandbox with three admins and an open approval round of DEPUTIES (6, quota 7)."""
    sandbox = Sandbox(
        make_settings(database_url, data_dir, admin_ids=frozenset({ADMIN_ID, SECOND_ADMIN, THIRD_ADMIN})),
        idle_timeout=20,
    )
    await sandbox.start()
    await prepare_round(sandbox)
    for admin in (SECOND_ADMIN, THIRD_ADMIN):
        await sandbox.say(admin, "/start", name=f"管理员{admin}")
    await sandbox.say(ADMIN_ID, "/rounds")
    await sandbox.press(ADMIN_ID, "➕ 新建票决")
    await sandbox.say(ADMIN_ID, "7")
    await sandbox.press(ADMIN_ID, "赞成制（只投赞成）")
    now = sandbox.clock.now()
    opens, closes = now + timedelta(days=10), now + timedelta(days=12)
    await sandbox.press(ADMIN_ID, "设置开放和关闭时间")
    await sandbox.say(ADMIN_ID, f"{opens:%Y-%m-%d %H:%M} {closes:%Y-%m-%d %H:%M}")
    await sandbox.advance_clock(opens)
    assert (await the_round(sandbox)).status == "open"
    return sandbox


# -- finding 1: an integer too large for the database in any callback field -------------------------
@pytest.mark.parametrize(
    ("presser", "data"),
    [
        (STRANGER, f"pa:{HUGE}:show::0"),  # a project card: open to anyone, even a stranger
        (1001, f"pa:{HUGE}:follow::0"),
        (2001, f"oc:{HUGE}"),  # a deputy opening a suggestion card
        (2001, f"bt:{HUGE}:c1"),  # a ballot toggle
        (2001, f"er:{HUGE}:0:s"),  # an evaluation rating
        (ADMIN_ID, f"an:stats:{HUGE}"),  # an announcement's statistics
        (ADMIN_ID, f"ra:{HUGE}:show"),
    ],
)
async def test_an_oversized_id_in_callback_data_is_refused_not_raised(
    sandbox: Sandbox, presser: int, data: str
) -> None:
    await seed_project(sandbox)
    before = len(sandbox.failures)
    shown = await sandbox.press(presser, data=data)
    errors = raised(sandbox, before)
    assert errors == [], f"{data} pressed by {presser} raised {errors}"
    assert not any(APOLOGY in s.text for s in shown)
    assert shown and shown[0].method == "answerCallbackQuery" and shown[0].alert


# -- finding 2: two admins check the same paper ballot ----------------------------------------------
async def test_a_paper_ballot_checked_by_two_admins_at_once_is_refused_the_second_time(
    database_url: str, data_dir: Path
) -> None:
    sandbox = await open_round_with_admins(database_url, data_dir)
    try:
        round_ = await the_round(sandbox)
        await sandbox.press(ADMIN_ID, data=f"pd:{round_.id}:4")  # 代表2004 votes on paper
        await sandbox.say(ADMIN_ID, "c1 c4 c7")
        [entry] = await rows(sandbox, PaperEntry)
        # Both other admins open the pending entry before either has typed it.
        await sandbox.press(SECOND_ADMIN, data=f"pc:{entry.id}")
        await sandbox.press(THIRD_ADMIN, data=f"pc:{entry.id}")
        [counted] = await sandbox.say(SECOND_ADMIN, "c1 c4 c7")
        assert counted.text.startswith("两次录入一致，纸质选票已计入。")
        before = len(sandbox.failures)
        shown = await sandbox.say(THIRD_ADMIN, "c1 c4 c7")
        errors = raised(sandbox, before)
        assert errors == [], f"the second check raised {errors}"
        assert [s.text for s in shown] == ["这张纸质选票已由另一位管理员核对过了。"]
        # Counted once, whatever the second admin typed.
        async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
            ballots = (await session.exec(select(func.count()).select_from(CastBallot))).one()
        assert len(await rows(sandbox, RoundVoter)) == 1 and ballots == 1
    finally:
        await sandbox.stop()


# -- finding 3: a paper ballot for someone who is no deputy -----------------------------------------
async def test_a_paper_ballot_for_a_forged_deputy_id_is_refused(database_url: str, data_dir: Path) -> None:
    sandbox = await open_round_with_admins(database_url, data_dir)
    try:
        round_ = await the_round(sandbox)
        await sandbox.press(ADMIN_ID, data=f"pd:{round_.id}:999")  # no deputy has id 999
        before = len(sandbox.failures)
        shown = await sandbox.say(ADMIN_ID, "c1 c4 c7")
        errors = raised(sandbox, before)
        assert errors == [], f"the paper entry raised {errors}"
        assert [s.text for s in shown] == ["这位代表不在本轮开放时确定的选民名单中。"]
        assert await rows(sandbox, PaperEntry) == []
    finally:
        await sandbox.stop()


# -- finding 1b: the board's id check allows 64 bits; PostgreSQL's id columns hold 32 --------------
async def test_the_board_answers_404_for_an_id_past_32_bits(sandbox: Sandbox) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web.board import Board, build_board_app

    runtime = sandbox.runtime
    board = Board(runtime.session_factory, runtime.i18n, runtime.settings, runtime.bot)  # type: ignore[union-attr]
    client = TestClient(TestServer(build_board_app(board)))
    await client.start_server()
    try:
        for path in ("/projects/2147483648", "/api/projects/2147483648", "/media/2147483648"):
            response = await client.get(path)
            assert response.status == 404, (path, response.status, (await response.text())[:200])
    finally:
        await client.close()


# -- finding 4: a non-ASCII secret header or bearer token makes hmac.compare_digest raise -----------
async def test_a_non_ascii_webhook_secret_or_metrics_token_is_refused_not_a_500(sandbox: Sandbox) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web.webhook import SECRET_HEADER, build_app

    runtime = sandbox.runtime
    runtime.settings.metrics_token = SecretStr("a-long-enough-metrics-token")  # type: ignore[union-attr]
    client = TestClient(TestServer(build_app(runtime, "a-long-enough-secret-token")))  # type: ignore[arg-type]
    await client.start_server()
    try:
        # Header values travel as bytes; aiohttp reads them as Latin-1: "é" arrives as "Ã©".
        posted = await client.post("/webhook", json={"update_id": 1}, headers={SECRET_HEADER: "sécret"})
        assert posted.status == 401, (posted.status, (await posted.text())[:200])
        metrics = await client.get("/metrics", headers={"Authorization": "Bearer tökén"})
        assert metrics.status == 404, (metrics.status, (await metrics.text())[:200])
    finally:
        await client.close()

"""How the bot copes with Telegram's answers: 429, 403, 5xx."""

from __future__ import annotations

from sqlmodel import select

from bot.config import Settings
from bot.db.models import User
from bot.sandbox.server import FakeTelegramServer, Fault, VirtualTime
from bot.sandbox.session import Sandbox


async def is_blocked(sandbox: Sandbox, telegram_id: int) -> bool:
    async with sandbox.runtime.session_factory() as session:
        user = (await session.exec(select(User).where(User.telegram_id == telegram_id))).one()
        return user.is_blocked


async def test_429_is_retried_after_retry_after(sandbox: Sandbox) -> None:
    sandbox.server.inject(
        Fault("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=1001)
    )
    loop = __import__("asyncio").get_running_loop()
    started = loop.time()
    [reply] = await sandbox.say(1001, "/start")
    assert reply.text.startswith("您好")
    assert loop.time() - started >= 1.0  # it waited as told
    assert sandbox.server.stats["429"] == 1
    assert sandbox.server.calls["sendMessage"] == 2


async def test_flood_limit_of_the_local_server_is_obeyed(settings: Settings) -> None:
    """One chat may take a burst of one; past it the server answers 429 and the bot waits the
    `retry_after` it was told, then succeeds. The limit's clock is virtual and moves only while the
    bot waits, so the test means the same on an idle laptop and on a loaded CI runner."""
    time = VirtualTime()
    server = FakeTelegramServer(global_rate=30, per_chat_rate=1.0, per_chat_burst=1, time_source=time)
    async with Sandbox(settings, server=server, api_sleep=time.sleep, idle_timeout=20) as sandbox:
        [greeting] = await sandbox.say(1001, "/start")
        assert greeting.text.startswith("您好") and time.slept == []  # the burst of one, used up
        [reply] = await sandbox.say(1001, "/help")
        assert "/help" in reply.text
        # Refused once (at virtual second 0), waited exactly the one second it was told, then sent.
        assert server.flood_answers == [0.0] and time.slept == [1] and time.now == 1.0
        assert server.stats["429"] == 1 and server.calls["sendMessage"] == 3
        # Another chat has its own limit: no wait.
        [other] = await sandbox.say(1002, "/start")
        assert other.text.startswith("您好") and time.slept == [1] and server.stats["429"] == 1
        assert not sandbox.failures


async def test_403_marks_the_user_blocked_and_nothing_escapes(sandbox: Sandbox) -> None:
    await sandbox.say(1001, "/start")
    person = sandbox.person(1001)

    def write_then_block() -> None:
        sandbox.server.world.send_text(person, "/help")
        person.blocked_bot = True

    shown = await sandbox.act(write_then_block)
    assert shown == []
    assert sandbox.server.stats["403"] == 1
    assert await is_blocked(sandbox, 1001)
    # Writing again means they unblocked the bot.
    person.blocked_bot = False
    [reply] = await sandbox.say(1001, "/help")
    assert "/start" in reply.text
    assert not await is_blocked(sandbox, 1001)


async def test_a_5xx_on_a_repeatable_call_is_retried(sandbox: Sandbox) -> None:
    await sandbox.say(1001, "/start")
    [choice] = await sandbox.say(1001, "/language")
    sandbox.server.inject(Fault("editMessageText", 502, "Bad Gateway"))
    edit, toast = await sandbox.press(1001, "English")
    assert toast.text == "Switched to English."
    assert edit.method == "editMessageText" and edit.message_id == choice.message_id
    assert sandbox.server.calls["editMessageText"] == 2


async def test_a_5xx_on_a_send_is_not_resent_blindly(sandbox: Sandbox) -> None:
    sandbox.server.inject(Fault("sendMessage", 502, "Bad Gateway", chat_id=1001))
    shown = await sandbox.say(1001, "/start")
    # The greeting may or may not have reached Telegram; it is not sent twice. The person is
    # told something went wrong, and the failure is on record.
    assert [s.text for s in shown] == ["抱歉，处理时出了点问题，您的操作没有完成。请稍后再试。"]
    assert len(sandbox.failures) == 1
    sandbox.runtime.activity.failures.clear()

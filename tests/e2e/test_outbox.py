"""The delivery engine's failure cases against the local Bot API server, on both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select

from bot.config import Settings
from bot.db.models import Delivery, User
from bot.outbox import store
from bot.outbox.sender import BLOB_CACHE, Sender
from bot.sandbox.server import Fault
from bot.sandbox.session import Sandbox
from tests.conftest import make_settings

PEOPLE = [1001, 1002, 1003, 1004]


async def queue(sandbox: Sandbox, key: str, people: list[int] = PEOPLE, **options: object) -> None:
    """One notification to `people`, queued as a handler would, then committed."""
    async with sandbox.runtime.session_factory() as session:
        users = list((await session.exec(select(User).where(col(User.telegram_id).in_(people)))).all())
        notifier = sandbox.runtime.notifier
        await notifier.notify(
            session, key, "test", users, lambda user: f"通知 {key} → {user.telegram_id}", **options
        )
        await session.commit()
    await sandbox.idle()


async def deliveries(sandbox: Sandbox) -> dict[int, list[Delivery]]:
    """Every delivery, by chat."""
    async with sandbox.runtime.session_factory() as session:
        found = (await session.exec(select(Delivery).order_by(col(Delivery.id)))).all()
    by_chat: dict[int, list[Delivery]] = {}
    for row in found:
        by_chat.setdefault(row.chat_id, []).append(row)
    return by_chat


def received(sandbox: Sandbox, chat: int) -> list[str]:
    return [s.text for s in sandbox.shown if s.to == chat and s.text.startswith("通知")]


async def meet(sandbox: Sandbox) -> None:
    for person in PEOPLE:
        await sandbox.say(person, "/start")


async def test_429_waits_and_sends_once_403_closes_400_fails_502_retries(sandbox: Sandbox) -> None:
    await meet(sandbox)
    server = sandbox.server
    server.inject(Fault("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=1001))
    server.inject(Fault("sendMessage", 400, "Bad Request: message text is empty", chat_id=1003))
    server.inject(Fault("sendMessage", 502, "Bad Gateway", times=2, chat_id=1004))
    await sandbox.block(1002)
    await queue(sandbox, "a")
    await queue(sandbox, "b", [1002])  # already known blocked: closed without a call
    by_chat = await deliveries(sandbox)
    assert received(sandbox, 1001) == ["通知 a → 1001"]
    assert [r.status for r in by_chat[1001]] == ["sent"] and by_chat[1001][0].message_id
    assert [r.status for r in by_chat[1002]] == ["blocked", "blocked"]
    assert by_chat[1003][0].status == "failed" and "message text is empty" in by_chat[1003][0].error
    assert received(sandbox, 1004) == ["通知 a → 1004"] and by_chat[1004][0].attempts == 3
    assert server.stats["429"] == 1 and server.stats["403"] == 1
    async with sandbox.runtime.session_factory() as session:
        blocked = (await session.exec(select(User).where(User.telegram_id == 1002))).one()
    assert blocked.is_blocked
    # Queuing the same key again sends nothing twice.
    await queue(sandbox, "a")
    assert received(sandbox, 1001) == ["通知 a → 1001"]


async def test_502_past_the_attempts_fails(database_url: str, data_dir: Path) -> None:
    settings = make_settings(database_url, data_dir, outbox_max_attempts=2)
    async with Sandbox(settings, idle_timeout=20) as sandbox:
        await meet(sandbox)
        sandbox.server.inject(Fault("sendMessage", 502, "Bad Gateway", times=5, chat_id=1001))
        await queue(sandbox, "a", [1001])
        [row] = (await deliveries(sandbox))[1001]
        assert row.status == "failed" and row.attempts == 2 and row.error == "Bad Gateway"


async def test_a_timeout_is_unknown_and_not_resent_until_requeued(database_url: str, data_dir: Path) -> None:
    settings = make_settings(database_url, data_dir, outbox_send_timeout=0.5)
    async with Sandbox(settings, idle_timeout=20) as sandbox:
        await meet(sandbox)
        # Telegram is slow: the answer comes after the sender gave up; the message did arrive.
        sandbox.server.inject(Fault("sendMessage", 200, "", delay=1.0, chat_id=1001))
        await queue(sandbox, "a", [1001, 1002])
        by_chat = await deliveries(sandbox)
        assert by_chat[1001][0].status == "unknown" and "timeout" in by_chat[1001][0].error
        assert by_chat[1002][0].status == "sent"
        assert sandbox.server.calls["sendMessage"] == 2 + len(PEOPLE)  # the /start greetings too
        async with sandbox.runtime.session_factory() as session:
            assert await store.requeue_unknown(session, sandbox.clock.now()) == 1
        sandbox.runtime.sender.wake()
        await sandbox.idle()
        assert received(sandbox, 1001) == ["通知 a → 1001"]
        assert (await deliveries(sandbox))[1001][0].status == "sent"


async def test_a_restart_loses_nothing_and_repeats_only_unknown_rows(settings: Settings) -> None:
    async with Sandbox(settings, idle_timeout=20) as sandbox:
        await meet(sandbox)
        runtime = sandbox.runtime
        await runtime.sender.stop()  # the sender "dies"…
        await queue(sandbox, "a")
        async with runtime.session_factory() as session:
            # …having claimed two rows, one of them with its request already out.
            claimed = await store.claim(session, "dead-worker", sandbox.clock.now(), timedelta(seconds=30), 2)
            assert await store.start_sending(session, claimed[0].id, "dead-worker")
        assert len(claimed) == 2 and not received(sandbox, 1001)
        # A new sender starts once the dead one's lease ran out.
        await sandbox.advance_clock(sandbox.clock.now() + timedelta(seconds=31))
        restarted = Sender(runtime.session_factory, runtime.sender.bot, sandbox.clock, settings)
        sandbox.busy_probes.append(lambda: restarted.busy)
        restarted.start()
        await sandbox.idle()
        by_chat = await deliveries(sandbox)
        statuses = sorted(r.status for rows_ in by_chat.values() for r in rows_)
        # The merely claimed row went back to the queue; the one in flight is "unknown".
        assert statuses == ["sent", "sent", "sent", "unknown"]
        assert received(sandbox, claimed[0].chat_id) == []
        async with runtime.session_factory() as session:
            assert await store.requeue_unknown(session, sandbox.clock.now()) == 1
        restarted.wake()
        await sandbox.idle()
        for person in PEOPLE:
            assert received(sandbox, person) == [f"通知 a → {person}"]
        await restarted.stop()


async def test_edit_in_place_updates_the_previous_message(sandbox: Sandbox) -> None:
    await meet(sandbox)
    await queue(sandbox, "first", [1001], edit_key="status:1")
    await queue(sandbox, "second", [1001], edit_key="status:1")
    [first, second] = [s for s in sandbox.shown if s.to == 1001 and s.text.startswith("通知")]
    assert first.method == "sendMessage" and second.method == "editMessageText"
    assert first.message_id == second.message_id


async def test_the_sender_keeps_only_the_latest_files_at_hand(sandbox: Sandbox) -> None:
    sender = sandbox.runtime.sender  # type: ignore[union-attr]
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        made = [
            await store.notification(session, f"chart-{n}", "chart", sandbox.clock.now(), blob=b"png" * n)
            for n in range(1, BLOB_CACHE + 3)
        ]
        await session.commit()
    ids = [notification.id for notification, _new in made]
    for notification_id in ids:
        assert (await sender.blob(notification_id)).id == notification_id
    await sender.blob(ids[-BLOB_CACHE])  # used again: the freshest now
    assert [n.id for n in sender.files_at_hand] == [*ids[-BLOB_CACHE + 1 :], ids[-BLOB_CACHE]]

"""A restart of the bot strands nothing: a draft's buttons still work afterwards (issue 14, fault 9).

Without Redis the FSM state lives in the database (bot.db.fsm_storage.DatabaseStorage), so a new
bot process on the same database continues the conversation where the old one stopped.
"""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey
from sqlmodel import select

from bot.config import Settings
from bot.db.fsm_storage import DatabaseStorage
from bot.db.models import FsmState, Suggestion
from bot.sandbox.session import Sandbox
from tests.conftest import seed_areas_and_roster
from tests.e2e.steps import rows, submit_suggestion


async def test_a_draft_survives_a_restart(settings: Settings) -> None:
    first = Sandbox(settings, idle_timeout=20)
    await first.start()
    try:
        assert isinstance(first.runtime.storage, DatabaseStorage)  # type: ignore[union-attr]
        await seed_areas_and_roster(first)
        [card] = await first.say(1001, "小区门口的路灯坏了，晚上很黑，希望尽快修好")
        assert card.text.startswith("收到！")
        assert not first.failures
    finally:
        await first.stop()
    # A new bot process on the same database, the same Telegram (the resident's chat is unchanged).
    second = Sandbox(settings, idle_timeout=20, server=first.server)
    await second.start()
    try:
        shown = await second.press(1001, "✅ 对，就是这类")
        assert all("已失效" not in s.text for s in shown), [s.text for s in shown]
        await submit_suggestion(second, 1001)  # the street, the community, no photo, the pseudonym
        [suggestion] = await rows(second, Suggestion)
        assert suggestion.state == "submitted"
        assert suggestion.text == "小区门口的路灯坏了，晚上很黑，希望尽快修好"
        assert not second.failures, second.failures
    finally:
        await second.stop()


async def test_storage_round_trip_and_keys_apart(settings: Settings) -> None:
    async with Sandbox(settings, idle_timeout=20) as sandbox:
        storage = sandbox.runtime.storage  # type: ignore[union-attr]
        key = StorageKey(bot_id=1, chat_id=1001, user_id=1001)
        other = StorageKey(bot_id=1, chat_id=1001, user_id=1001, destiny="other")
        assert await storage.get_state(key) is None and await storage.get_data(key) == {}
        await storage.set_state(key, "Suggestion:text")
        await storage.set_data(key, {"draft": "路灯坏了", "photos": [1, 2]})
        await storage.set_state(other, "X:y")
        assert await storage.get_state(key) == "Suggestion:text"
        assert await storage.get_data(key) == {"draft": "路灯坏了", "photos": [1, 2]}
        assert await storage.get_data(other) == {}
        await storage.set_state(key, None)
        assert await storage.get_data(key) == {"draft": "路灯坏了", "photos": [1, 2]}  # data kept
        await storage.set_data(key, {})
        assert await storage.get_state(key) is None and await storage.get_data(key) == {}
        assert await storage.get_state(other) == "X:y"
        # A cleared conversation leaves no row (no draft text outlives it); the other stays.
        assert await fsm_keys(sandbox) == [storage.key_builder.build(other)]
        await storage.set_data(other, {"draft": "x"})
        await storage.set_state(other, None)
        assert await fsm_keys(sandbox) == [storage.key_builder.build(other)]  # data left: it stays


async def fsm_keys(sandbox: Sandbox) -> list[str]:
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        return list((await session.exec(select(FsmState.key))).all())

"""A restarted sandbox remembers what Telegram would (issue 14, fault 9): the chats, the messages
and their buttons, the ids given out. Queued notices reach a resident after the restart, an old
card's buttons still press, and the console and scripts continue a conversation begun before.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db.models import Delivery, Suggestion
from bot.sandbox.session import Sandbox
from bot.sandbox.state import WorldFile, world_file
from bot.sandbox.world import World
from tests.conftest import make_settings, seed_areas_and_roster
from tests.e2e.steps import DEPUTY, RESIDENT, rows, run_cli, submit_suggestion, triage

LAMP = "小区门口的路灯坏了，晚上很黑，希望尽快修好"


async def test_a_notice_queued_before_a_restart_reaches_the_resident(
    settings: Settings, tmp_path: Path
) -> None:
    state = tmp_path / "test.sandbox.json"
    first = Sandbox(settings, idle_timeout=20, state=WorldFile(state))
    await first.start()
    try:
        await seed_areas_and_roster(first)
        await first.say(DEPUTY, "/start", name="张伟")
        await first.say(RESIDENT, "/start", name="王阿姨")
        await submit_suggestion(first, RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
        await first.runtime.sender.stop()  # type: ignore[union-attr]  # the notice waits for the restart
        await triage(first, DEPUTY, "转街道")
        assert not [s for s in first.shown if s.to == RESIDENT and "转街道" in s.text]
        assert not first.failures
    finally:
        await first.stop()
    # Another process: a new local Telegram loaded from the file, a new bot, the same database.
    second = Sandbox(settings, idle_timeout=20, state=WorldFile(state))
    assert second.server.world is not first.server.world
    await second.start()
    try:
        await second.idle()
        [told] = [s for s in second.shown if s.to == RESIDENT]
        assert "已提交 → 转街道" in told.text
        deliveries = await rows(second, Delivery, Delivery.chat_id == RESIDENT)
        assert deliveries and {row.status for row in deliveries} == {"sent"}, [
            (row.status, row.error) for row in deliveries
        ]
        # The chat goes on where it was: message ids are not given twice.
        assert told.message_id > max(i for chat, i in first.server.world.messages if chat == RESIDENT)
        assert not second.failures, second.failures
    finally:
        await second.stop()


async def test_a_card_sent_before_the_restart_still_presses(settings: Settings, tmp_path: Path) -> None:
    state = tmp_path / "test.sandbox.json"
    async with Sandbox(settings, idle_timeout=20, state=WorldFile(state)) as first:
        await seed_areas_and_roster(first)
        [card] = await first.say(RESIDENT, LAMP)
        assert card.buttons and card.buttons[0][0] == "✅ 对，就是这类"
        presses_before = first.server.world.last_callback_id
    async with Sandbox(settings, idle_timeout=20, state=WorldFile(state)) as second:
        shown = await second.press(RESIDENT, "✅ 对，就是这类")
        # The bot edits the old card in place, as on Telegram, and asks the next question.
        assert (shown[0].method, shown[0].message_id) == ("editMessageText", card.message_id)
        assert shown[0].text.startswith("类别：")
        assert shown[-1].text == "这条建议涉及哪个街道？"
        assert second.server.world.last_callback_id == presses_before + 1
        await second.press(RESIDENT, "莲花街道")
        await second.press(RESIDENT, "彩田社区")
        await second.press(RESIDENT, "跳过，不发照片")
        await second.press(RESIDENT, second.shown[-1].buttons[0][0])  # type: ignore[index]
        [suggestion] = await rows(second, Suggestion)
        assert suggestion.state == "submitted" and suggestion.text == LAMP
        assert not second.failures, second.failures
    # Without the file the same press finds no card: the local Telegram forgot the chat.
    async with Sandbox(settings, idle_timeout=20) as forgetful:
        with pytest.raises(LookupError):
            await forgetful.press(RESIDENT, "✅ 对，就是这类")


async def test_a_corrupt_state_file_starts_fresh_with_a_log_line(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = tmp_path / "test.sandbox.json"
    state.write_text('{"version": 1, "chats": [', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.sandbox.state"):
        async with Sandbox(settings, idle_timeout=20, state=WorldFile(state)) as sandbox:
            [greeting] = await sandbox.say(RESIDENT, "/start")
            assert greeting.message_id == 2 and not sandbox.failures
    [record] = caplog.records
    assert "is not a sandbox state" in record.message and "starts fresh" in record.message
    assert (tmp_path / "test.sandbox.json.corrupt").read_text(encoding="utf-8").startswith('{"version": 1')
    assert [chat["id"] for chat in json.loads(state.read_text(encoding="utf-8"))["chats"]] == [RESIDENT]
    # A state of another layout, or one naming a file whose bytes are gone.
    state.write_text('{"version": 99}', encoding="utf-8")
    assert WorldFile(state).load().people == {}
    assert "state version 99" in caplog.records[-1].message


def test_the_snapshot_holds_what_telegram_remembers(tmp_path: Path) -> None:
    world = World()
    person = world.person(RESIDENT, "王阿姨", "zh-hans")
    group = world.group(-100, "小区业主群")
    world.send_text(person, "/start")
    world.send_photo(person, "lamp.jpg", b"\xff\xd8jpeg", "路灯")
    world.send_group_text(person, group, "大家好")
    world.person(1002).blocked_bot = True
    world.commands[("default:", "")] = [{"command": "start", "description": "开始"}]
    world.confirm(2)  # the bot confirmed the first update; two are pending
    state = WorldFile(tmp_path / "x.sandbox.json")
    assert state.save(world) and not state.save(world)  # an unchanged world is not written again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.sandbox.files", "x.sandbox.json"]  # no temp left
    again = WorldFile(tmp_path / "x.sandbox.json").load()
    assert again.snapshot() == world.snapshot()
    assert again.people[RESIDENT].as_user() == person.as_user() and again.people[1002].blocked_bot
    assert again.people[-100].as_chat() == group.as_chat()
    [photo] = again.files.values()
    assert photo.content == b"\xff\xd8jpeg" and photo.name == "lamp.jpg"
    assert [u["update_id"] for u in again.pending] == [2, 3] and again.updates_created == 2
    assert again.send_text(again.people[RESIDENT], "再来")["message"]["message_id"] == 3
    assert again.enqueue({})["update_id"] == 5
    # A file whose bytes were deleted is forgotten, the rest loads.
    for kept in (tmp_path / "x.sandbox.files").iterdir():
        kept.unlink()
    assert WorldFile(tmp_path / "x.sandbox.json").load().files == {}
    state.forget()
    assert list(tmp_path.iterdir()) == [] and WorldFile(tmp_path / "x.sandbox.json").load().people == {}


def test_the_state_file_lies_beside_the_database(tmp_path: Path) -> None:
    def where(url: str) -> Path | None:
        found = world_file(make_settings(url, tmp_path / "data"))
        return found.path if found else None

    assert where("sqlite+aiosqlite:///data/minsheng.db") == Path("data/minsheng.sandbox.json")
    assert where(f"sqlite:///{tmp_path}/r.db") == tmp_path / "r.sandbox.json"
    assert where("sqlite+aiosqlite:///:memory:") is None
    one = where("postgresql+asyncpg://bot:secret@db/minsheng")
    other = where("postgresql+asyncpg://bot:secret@elsewhere/minsheng")
    assert one and other and one != other and one.parent == tmp_path / "data"
    assert one.name.startswith("minsheng-") and "secret" not in one.name


def test_scripts_and_the_console_continue_after_a_restart(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'chat.db'}", "BOARD_PORT": "0"}
    (tmp_path / "draft.jsonl").write_text(
        json.dumps({"from": RESIDENT, "text": LAMP}) + "\n", encoding="utf-8"
    )
    (tmp_path / "street.jsonl").write_text(
        json.dumps({"from": RESIDENT, "press": "莲花街道"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    draft = run_cli("sandbox", "--script", "draft.jsonl", cwd=tmp_path, env=env)
    assert draft.returncode == 0, draft.stderr
    assert (tmp_path / "data" / "chat.sandbox.json").is_file()

    # The console shows the card from before and #1 presses it.
    console = run_cli("sandbox", "--as", str(RESIDENT), cwd=tmp_path, env=env, input="#1\n/quit\n")
    assert console.returncode == 0, console.stderr
    assert "The local Telegram remembers the chats from before (1;" in console.stdout
    assert "(from before:)" in console.stdout and "[#1] ✅ 对，就是这类" in console.stdout
    assert "这条建议涉及哪个街道？" in console.stdout, console.stdout

    # A script goes on from there.
    street = run_cli("sandbox", "--script", "street.jsonl", cwd=tmp_path, env=env)
    assert street.returncode == 0, street.stderr
    *_edited, asked = [json.loads(line) for line in street.stdout.splitlines()]
    assert asked["text"] == "哪个社区？"

    # --fresh forgets the chat: the button is no longer there to press.
    fresh = run_cli("sandbox", "--fresh", "--script", "street.jsonl", cwd=tmp_path, env=env)
    assert fresh.returncode == 2
    assert "starts fresh (--fresh)" in fresh.stderr and "no button '莲花街道'" in fresh.stderr

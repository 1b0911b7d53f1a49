"""Input the bot cannot use yet gets a clear answer in the person's language."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox.session import Sandbox


async def test_sticker_voice_and_photo_without_caption_are_answered(sandbox: Sandbox, tmp_path: Path) -> None:
    expected = "我目前只能读懂文字消息。请用文字写下您的意思，或发送 /help。"
    assert [s.text for s in await sandbox.sticker(1001)] == [expected]
    assert [s.text for s in await sandbox.voice(1001)] == [expected]
    picture = tmp_path / "lamp.jpg"
    picture.write_bytes(b"\xff\xd8\xff fake jpeg")
    assert [s.text for s in await sandbox.photo(1001, picture)] == [expected]


async def test_unknown_command_in_english(sandbox: Sandbox) -> None:
    [reply] = await sandbox.say(1003, "/frobnicate", lang="en")
    assert reply.text == "Sorry, I did not understand. Send /help to see what I can do."


async def test_html_in_a_name_is_escaped(sandbox: Sandbox) -> None:
    [reply] = await sandbox.say(1004, "/start", name="<b>&Bob*_")
    assert "&lt;b&gt;&amp;Bob*_" in reply.text


async def test_forged_and_stale_buttons_are_refused(sandbox: Sandbox) -> None:
    [alert] = await sandbox.press(1001, data="x" * 64)
    assert alert.method == "answerCallbackQuery" and alert.alert


async def test_a_flood_is_answered_not_dropped(sandbox: Sandbox) -> None:
    replies = await sandbox.flood(1005, [f"消息{i}" for i in range(8)])
    texts = [reply.text for reply in replies]
    # Five pass (the burst); the other three are told they were not saved.
    assert texts.count("能再多写几句吗？说说在哪里、是什么问题、希望怎样改进。") == 5
    assert texts.count("您发送得太快了，这条消息没有保存。请稍等几秒再发。") == 3

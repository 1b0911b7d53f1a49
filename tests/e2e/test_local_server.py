"""The local Bot API server answers like Telegram, through aiogram's real HTTP session."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox.server import SANDBOX_TOKEN, FakeTelegramServer
from bot.sandbox.spec import default_spec


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[FakeTelegramServer]:
    running = FakeTelegramServer(record_path=tmp_path / "record.jsonl")
    await running.start()
    running.world.person(1001, "王阿姨", "zh-hans")
    yield running
    await running.stop()


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    api_bot = Bot(SANDBOX_TOKEN, session=session)
    yield api_bot
    await session.close()


async def test_get_me_and_send_message(bot: Bot, server: FakeTelegramServer) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "minsheng_sandbox_bot"
    sent = await bot.send_message(1001, "<b>你好</b> &amp; welcome", parse_mode="HTML")
    assert sent.message_id == 1 and sent.chat.id == 1001


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("x" * 4097, None, "message is too long"),
        ("😀" * 2049, None, "message is too long"),  # UTF-16 code units are counted
        ("", None, "message text is empty"),
        ("<b>unclosed", "HTML", "can't parse entities"),
        ("<script>x</script>", "HTML", 'Unsupported start tag "script"'),
        ("a < b", "HTML", "can't parse entities"),
        ("Tom & Jerry", "HTML", "can't parse entities"),
        ("<b>x</i>", "HTML", "Unmatched end tag"),
    ],
)
async def test_messages_telegram_would_refuse(
    bot: Bot, text: str, parse_mode: str | None, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_message(1001, text, parse_mode=parse_mode)


async def test_exactly_4096_characters_pass(bot: Bot) -> None:
    await bot.send_message(1001, "字" * 4096)


async def test_unknown_chat_and_blocked_user(bot: Bot, server: FakeTelegramServer) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hi")
    server.world.people[1001].blocked_bot = True
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(1001, "hi")


async def test_callback_data_over_64_bytes(bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="太长", callback_data="数" * 22)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "按钮", reply_markup=markup)


async def test_caption_over_1024(bot: Bot) -> None:
    photo = BufferedInputFile(b"\xff\xd8\xff", filename="a.jpg")
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(1001, photo, caption="c" * 1025)


async def test_upload_get_file_and_download(bot: Bot, server: FakeTelegramServer) -> None:
    sent = await bot.send_document(1001, BufferedInputFile(b"col1,col2\n", filename="export.csv"))
    assert sent.document and sent.document.file_name == "export.csv"
    file = await bot.get_file(sent.document.file_id)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded.read() == b"col1,col2\n"


async def test_global_rate_limit_answers_429_with_retry_after(bot: Bot, server: FakeTelegramServer) -> None:
    server.global_bucket.rate = server.global_bucket.burst = server.global_bucket.tokens = 3
    for _ in range(3):
        await bot.send_message(1001, "ok")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1001, "one too many")
    assert caught.value.retry_after >= 1


async def test_edit_and_answer_errors(bot: Bot, server: FakeTelegramServer) -> None:
    sent = await bot.send_message(1001, "原文")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("原文", chat_id=1001, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("新", chat_id=1001, message_id=999)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("no-such-query")


async def test_unknown_method_and_parameter_are_refused(server: FakeTelegramServer) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{server.base_url}/bot{SANDBOX_TOKEN}"
        async with http.post(f"{url}/sendTelepathy", json={"chat_id": 1001}) as response:
            assert response.status == 404
        async with http.post(f"{url}/sendMessage", json={"chat_id": 1001, "text": "x", "colour": "red"}) as r:
            assert r.status == 400
            assert "unknown parameter 'colour'" in (await r.json())["description"]
        async with http.post(f"{url}/sendPhoto", json={"chat_id": 1001}) as r:
            assert "parameter 'photo' is required" in (await r.json())["description"]
        async with http.post(f"{server.base_url}/botWRONG:TOKEN/getMe") as r:
            assert r.status == 401


async def test_long_polling_waits_for_an_update(bot: Bot, server: FakeTelegramServer) -> None:
    import asyncio

    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    server.world.send_text(server.world.people[1001], "你好")
    [update] = await asyncio.wait_for(waiting, 2)
    assert update.message and update.message.text == "你好"
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == []


async def test_every_recorded_request_is_a_real_method_with_real_parameters(
    bot: Bot, server: FakeTelegramServer
) -> None:
    await bot.get_me()
    await bot.send_message(1001, "<i>记录</i>", parse_mode="HTML")
    await bot.send_photo(1001, BufferedInputFile(b"\xff\xd8", filename="p.jpg"), caption="图")
    await bot.get_updates(timeout=0)
    lines = [json.loads(line) for line in server.record_path.read_text(encoding="utf-8").splitlines()]
    assert [line["method"] for line in lines] == ["getMe", "sendMessage", "sendPhoto", "getUpdates"]
    assert lines[2]["params"]["photo"] == "p.jpg"
    spec = default_spec()
    for line in lines:
        method = spec.method(line["method"])
        assert set(line["params"]) <= set(method.fields)


async def test_more_than_100_buttons_are_refused(bot: Bot) -> None:
    def keyboard(count: int) -> InlineKeyboardMarkup:
        rows = [
            [
                InlineKeyboardButton(text=str(n), callback_data=f"b:{n}")
                for n in range(start, min(start + 8, count))
            ]
            for start in range(0, count, 8)
        ]
        return InlineKeyboardMarkup(inline_keyboard=rows)

    await bot.send_message(1001, "一百个", reply_markup=keyboard(100))
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(1001, "一百零一个", reply_markup=keyboard(101))


async def test_text_and_caption_edits_must_match_the_message(bot: Bot) -> None:
    photo = await bot.send_photo(1001, BufferedInputFile(b"\xff\xd8", filename="p.jpg"), caption="卡片")
    text = await bot.send_message(1001, "文字")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("新", chat_id=1001, message_id=photo.message_id)
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=1001, message_id=text.message_id, caption="新")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_caption(chat_id=1001, message_id=photo.message_id, caption="卡片")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.edit_message_caption(chat_id=1001, message_id=photo.message_id, caption="c" * 1025)
    edited = await bot.edit_message_caption(chat_id=1001, message_id=photo.message_id, caption="新卡片")
    assert edited.caption == "新卡片"


async def test_a_callback_query_is_answered_once(bot: Bot, server: FakeTelegramServer) -> None:
    sent = await bot.send_message(
        1001,
        "按",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="好", callback_data="ok")]]
        ),
    )
    assert sent.reply_markup is not None
    update = server.world.press(server.world.people[1001], "好")
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id, text="又一次", show_alert=True)

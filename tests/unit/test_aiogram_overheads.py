"""Three aiogram costs the bot works around: Response[T] rebuilt after each garbage collection,
synchronous filters sent to worker threads, and keyboards deep-copied on every button. Each test
also shows the cost is real here."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.methods import Response, SendMessage
from aiogram.types import Chat, InlineKeyboardButton, Message, Update
from aiogram.types import User as TelegramUser
from aiogram.utils import keyboard
from pydantic import main as pydantic_main

from bot.keyboards.builder import InlineKeyboardBuilder
from bot.runtime.routing import _filters, inline_sync_filters
from bot.runtime.telegram import KeepResponseTypes
from handlers import setup_routers


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every parametrised pydantic model built while the test runs."""
    built: list[object] = []
    original = pydantic_main._generics.create_generic_submodel

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(pydantic_main._generics, "create_generic_submodel", counting)
    yield built


def parametrise_between_collections(returning: Any, times: int = 5) -> None:
    for _ in range(times):
        Response[returning]  # what aiogram's check_response does for every call
        gc.collect()


async def test_response_types_are_built_once(builds: list[object]) -> None:
    # Without a strong reference pydantic builds the class anew after every collection.
    parametrise_between_collections(tuple[int, str, float])
    assert len(builds) == 5

    async def request(bot: Any, method: Any) -> str:
        return "sent"

    builds.clear()
    assert await KeepResponseTypes()(request, None, SendMessage(chat_id=1, text="hi")) == "sent"  # type: ignore[arg-type]
    parametrise_between_collections(Message)
    assert len(builds) <= 1


def test_every_filter_of_the_bot_runs_in_the_loop() -> None:
    filters = list(_filters(setup_routers()))
    assert filters and all(event_filter.awaitable for event_filter in filters)


def message(text: str) -> Update:
    chat = Chat(id=7, type="private")
    sender = TelegramUser(id=7, is_bot=False, first_name="甲")
    return Update(
        update_id=1,
        message=Message(message_id=1, date=datetime.now(), chat=chat, from_user=sender, text=text),
    )


@pytest.mark.parametrize("inline", [False, True])
async def test_a_sync_filter_still_decides_and_runs_in_the_loop_thread(inline: bool) -> None:
    threads: list[int] = []
    router = Router()

    def is_hello(event: Message) -> bool:
        threads.append(threading.get_ident())
        return event.text == "你好"

    @router.message(is_hello, F.text.len() < 10)
    async def hello(event: Message) -> str:
        return "answered"

    if inline:
        assert inline_sync_filters(router) == 2
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = Bot("42:TEST")
    try:
        assert await dispatcher.feed_update(bot, message("你好")) == "answered"
        assert await dispatcher.feed_update(bot, message("再见")) is UNHANDLED
    finally:
        await bot.session.close()
    in_loop = [thread == threading.get_ident() for thread in threads]
    assert in_loop == [inline, inline]


def build(builder_class: type) -> list[list[tuple[str, str | None]]]:
    builder = builder_class()
    for number in range(7):
        builder.button(text=f"街道{number}", callback_data=f"s:{number}")
    builder.adjust(2, 3)
    builder.row(InlineKeyboardButton(text="« 返回", callback_data="back"))
    tail = builder_class()
    tail.button(text="取消", callback_data="cancel")
    builder.attach(tail)
    return [[(b.text, b.callback_data) for b in row] for row in builder.as_markup().inline_keyboard]


def test_the_keyboard_builder_lays_out_as_aiograms_without_deep_copies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = build(keyboard.InlineKeyboardBuilder)
    copies: list[object] = []
    monkeypatch.setattr(keyboard, "deepcopy", lambda value: copies.append(value) or value)
    build(keyboard.InlineKeyboardBuilder)
    assert len(copies) > 10  # one per button added, and more: what the builder below avoids
    copies.clear()
    assert build(InlineKeyboardBuilder) == expected and copies == []

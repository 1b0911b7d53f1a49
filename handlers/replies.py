"""Answering in the person's private chat: after a button press, or a typed value to check."""

from __future__ import annotations

from datetime import datetime, tzinfo

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from core.deadlines import parse_window


async def send(query: CallbackQuery, text: str, **kwargs: object) -> None:
    """A new message to the presser (the pressed message may be too old to reach)."""
    await query.bot.send_message(query.from_user.id, text, **kwargs)  # type: ignore[union-attr,arg-type]


async def edit_or_send(query: CallbackQuery, text: str, **kwargs: object) -> None:
    """Replace the pressed message where Telegram still allows it, else send anew.

    Pressing a button that changes nothing (marking "yes" twice) leaves the message as it is:
    Telegram refuses such an edit as "not modified", which is no error for us.
    """
    if not isinstance(query.message, Message):
        await send(query, text, **kwargs)
        return
    try:
        await query.message.edit_text(text, **kwargs)  # type: ignore[arg-type]
    except TelegramBadRequest as error:
        if "message is not modified" not in str(error):
            raise


async def window_from(
    message: Message, tz: tzinfo, now: datetime, unreadable: str, out_of_order: str
) -> tuple[datetime, datetime] | None:
    """An opening and a closing time typed by an admin, or None after saying what is wrong."""
    window = parse_window(message.text or "", tz)
    if window is None:
        await message.answer(unreadable)
        return None
    if not now <= window[0] < window[1]:
        await message.answer(out_of_order)
        return None
    return window

"""Answering a button press in the presser's private chat."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message


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

"""Answering a button press in the presser's private chat."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message


async def send(query: CallbackQuery, text: str, **kwargs: object) -> None:
    """A new message to the presser (the pressed message may be too old to reach)."""
    await query.bot.send_message(query.from_user.id, text, **kwargs)  # type: ignore[union-attr,arg-type]


async def edit_or_send(query: CallbackQuery, text: str, **kwargs: object) -> None:
    """Replace the pressed message where Telegram still allows it, else send anew."""
    if isinstance(query.message, Message):
        await query.message.edit_text(text, **kwargs)  # type: ignore[arg-type]
    else:
        await send(query, text, **kwargs)

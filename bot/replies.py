"""Answering in the person's private chat: after a button press, or a typed value to check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from core.deadlines import parse_window
from core.limits import MAX_CAPTION, visible_length


async def send(query: CallbackQuery, text: str, **kwargs: object) -> None:
    """A new message to the presser (the pressed message may be too old to reach)."""
    await query.bot.send_message(query.from_user.id, text, **kwargs)  # type: ignore[union-attr,arg-type]


def _not_modified(error: TelegramBadRequest) -> bool:
    return "message is not modified" in error.message


def _is_media(message: Message) -> bool:
    return any((message.photo, message.document, message.video, message.animation, message.audio))


async def edit_or_send(query: CallbackQuery, text: str, **kwargs: object) -> None:
    """Replace the pressed message where Telegram still allows it, else send anew.

    Every edit of a pressed message goes through here. A photo card carries its text as a caption
    and is edited with editMessageCaption (editMessageText is refused on media: "there is no text
    in the message to edit"); a text too long for a caption (1,024) goes out as a new message.
    Pressing a button that changes nothing (marking "yes" twice) leaves the message as it is:
    Telegram refuses such an edit as "not modified", which is no error for us.
    """
    message = query.message
    if not isinstance(message, Message):
        await send(query, text, **kwargs)
        return
    try:
        if not _is_media(message):
            await message.edit_text(text, **kwargs)  # type: ignore[arg-type]
        elif visible_length(text) <= MAX_CAPTION:
            caption_kwargs = {key: value for key, value in kwargs.items() if key in _CAPTION_KEYS}
            await message.edit_caption(caption=text, **caption_kwargs)  # type: ignore[arg-type]
        else:
            if message.reply_markup is not None:
                await edit_markup(query, None)
            await send(query, text, **kwargs)
    except TelegramBadRequest as error:
        if not _not_modified(error):
            raise


_CAPTION_KEYS = {"reply_markup", "parse_mode", "caption_entities", "show_caption_above_media"}


async def card_reply(target: CallbackQuery | Message, text: str, markup: InlineKeyboardMarkup) -> None:
    """A card in answer to a press (the pressed message becomes it) or to a typed value (a new
    message)."""
    if isinstance(target, CallbackQuery):
        await edit_or_send(target, text, reply_markup=markup)
    else:
        await target.answer(text, reply_markup=markup)


async def edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the buttons of the pressed message; the same buttons again are no error."""
    if not isinstance(query.message, Message):
        return
    try:
        await query.message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as error:
        if not _not_modified(error):
            raise


def answer_with(callback_answer: CallbackAnswer, text: str, *, alert: bool = False) -> None:
    """What the press's spinner shows: the one answer aiogram's CallbackAnswerMiddleware gives
    after the handler (a query answered twice is refused by Telegram)."""
    callback_answer.text = text
    callback_answer.show_alert = alert


async def refuse_too_long(
    message: Message, text: str, limit: int, length: Callable[[str], int] = len
) -> bool:
    """Says so and returns True when typed text is longer than `limit`: what people write is
    stored whole or not at all, never cut (issue 14, fault 2). `length` counts as the limit does:
    characters for a database column (column_limit), UTF-16 units for Telegram's (core.limits)."""
    if length(text) <= limit:
        return False
    await message.answer(
        _("您写了 {count} 字，超过了 {limit} 字的上限，没有保存。请精简后再发送。").format(
            count=length(text), limit=limit
        )
    )
    return True


def with_caption(text: str, message: Message) -> str:
    """`text` written at an earlier step, with the caption of the photo (or file) that `message`
    brings below it: a caption is part of what the person wrote, never dropped."""
    caption = (message.caption or "").strip()
    return f"{text}\n\n{caption}" if caption else text


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

"""People's text is cleaned once, where an update enters (core.text.clean_text)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from core.text import clean_text

_MESSAGE_FIELDS = ("message", "edited_message", "channel_post", "edited_channel_post")


def _clean_user(user: User | None) -> User | None:
    if user is None:
        return None
    names = {
        field: clean_text(value)
        for field in ("first_name", "last_name", "username")
        if (value := getattr(user, field)) is not None and clean_text(value) != value
    }
    return user.model_copy(update=names) if names else user


def _clean_message(message: Message) -> Message:
    changes: dict[str, Any] = {}
    for field in ("text", "caption"):
        value = getattr(message, field)
        if value is not None and clean_text(value) != value:
            changes[field] = clean_text(value)
            changes[f"{'entities' if field == 'text' else 'caption_entities'}"] = None  # offsets moved
    user = _clean_user(message.from_user)
    if user is not message.from_user:
        changes["from_user"] = user
    return message.model_copy(update=changes) if changes else message


class CleanTextMiddleware(BaseMiddleware):
    """An outer middleware on updates: the texts, captions and names people send reach the
    handlers without control characters or bidirectional overrides (the rest is kept as typed).
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update):
            changes: dict[str, Any] = {}
            for field in _MESSAGE_FIELDS:
                message = getattr(event, field)
                if message is not None and (cleaned := _clean_message(message)) is not message:
                    changes[field] = cleaned
            query: CallbackQuery | None = event.callback_query
            if query is not None and (user := _clean_user(query.from_user)) is not query.from_user:
                changes["callback_query"] = query.model_copy(update={"from_user": user})
            if changes:
                event = event.model_copy(update=changes)
                if "event_from_user" in data:
                    data["event_from_user"] = _clean_user(data["event_from_user"])
        return await handler(event, data)

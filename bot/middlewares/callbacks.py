"""Every button press answered exactly once, and which failures are worth handling again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.dispatcher.flags import get_flag
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

_RETRYABLE = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeout,
    TelegramNetworkError,
    TelegramServerError,
    TelegramRetryAfter,
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
)


def worth_retrying(error: BaseException) -> bool:
    """A failure of the database or the network, not of the input: handling the same update
    again later may well succeed (issue 14, fault 8)."""
    return isinstance(error, _RETRYABLE) or (
        isinstance(error, DBAPIError) and bool(error.connection_invalidated)
    )


class CallbackAnswers(CallbackAnswerMiddleware):
    """aiogram's CallbackAnswerMiddleware (answers after the handler, with what the handler set on
    the injected `callback_answer`), except when the update is to be delivered again: a failure
    worth retrying under a webhook leaves the query unanswered for the redelivery to answer
    (Telegram refuses a second answer)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        answer = data["callback_answer"] = self.construct_callback_answer(
            properties=get_flag(data, "callback_answer")
        )
        if not answer.disabled and answer.answered:
            await self.answer(event, answer)
        try:
            result = await handler(event, data)
        except Exception as error:
            redelivered = data.get("redelivered_if_failed") and worth_retrying(error)
            if not redelivered and not answer.disabled and not answer.answered:
                await self.answer(event, answer)
            raise
        if not answer.disabled and not answer.answered:
            await self.answer(event, answer)
        return result

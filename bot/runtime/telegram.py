"""The Bot object: which server it talks to, and a retry layer that obeys Telegram's limits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.db.engine import current_session

log = logging.getLogger(__name__)

# Calls that change nothing when repeated; only these are retried after a network error or a
# 5xx, because Telegram offers bots no idempotency key and a resent message would be doubled.
_REPEATABLE_PREFIXES = ("get", "set", "delete", "edit", "answer", "close", "logOut")


def is_repeatable(method_name: str) -> bool:
    return method_name.startswith(_REPEATABLE_PREFIXES)


class RetryMiddleware(BaseRequestMiddleware):
    """Waits `retry_after` on 429 for every call; backs off on network errors for safe calls.

    A 429 means Telegram did nothing, so it is retried for as long as the waits add up to at most
    `max_wait` seconds (a burst to many chats can need many short waits); other errors are
    retried `max_retries` times.
    """

    def __init__(
        self,
        max_retries: int = 5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        backoff: float = 0.5,
        max_wait: float = 120.0,
    ) -> None:
        self.max_retries = max_retries
        self.sleep = sleep
        self.backoff = backoff
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 0
        waited = 0.0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if waited + error.retry_after > self.max_wait:
                    raise
                log.warning("%s: 429, retrying after %ss", method.__api_method__, error.retry_after)
                await self.sleep(error.retry_after)
                waited += error.retry_after
                continue
            except (TelegramNetworkError, TelegramServerError) as error:
                if attempt >= self.max_retries or not is_repeatable(method.__api_method__):
                    raise
                delay = self.backoff * 2**attempt
                log.warning("%s: %s, retrying in %.1fs", method.__api_method__, error, delay)
                await self.sleep(delay)
            attempt += 1


class KeepResponseTypes(BaseRequestMiddleware):
    """Holds on to each `Response[T]` that aiogram parametrises, so that pydantic builds it once.

    aiogram writes `Response[method.__returning__]` for every call, and pydantic caches that class
    only weakly: after each garbage collection it was built again, schema and all. Under load that
    was a fifth of the bot's CPU (py-spy over benchmarks/throughput.py).
    """

    _kept: ClassVar[dict[Any, type[Response[Any]]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._kept:
            self._kept[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)


class ReleaseTransaction(BaseRequestMiddleware):
    """Commits the current update's transaction before a Bot API call.

    Handlers tell people what happened only after it is stored, so what they wrote is meant to
    last; and a transaction held across a network call would make every other update wait on
    SQLite's single writer (and hold row locks longer on PostgreSQL).
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        session = current_session.get()
        if session is not None and session.in_transaction():
            await session.commit()
        return await make_request(bot, method)


def create_bot(
    token: str,
    api_base: str | None,
    max_retries: int,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Bot:
    """`sleep`: how the retry layer waits (tests pass a virtual clock's, so that a 429's
    `retry_after` passes in virtual time, however slow or fast the machine is)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base)) if api_base else AiohttpSession()
    session.middleware(KeepResponseTypes())
    session.middleware(ReleaseTransaction())
    session.middleware(RetryMiddleware(max_retries=max_retries, sleep=sleep))
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def create_sender_bot(token: str, api_base: str | None, timeout: float) -> Bot:
    """The outbox sender's Bot: no retry layer, since the sender decides about every failure
    itself (and a 429 wait must not hold a claimed row), and its own request timeout."""
    api = TelegramAPIServer.from_base(api_base) if api_base else None
    session = AiohttpSession(api=api, timeout=timeout) if api else AiohttpSession(timeout=timeout)
    session.middleware(KeepResponseTypes())
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))

"""One DB session (and the services over it) per update, committed when the handler succeeds.

Whatever the handler wrote before a Bot API call is committed before that call (see
bot/runtime/telegram.py): no transaction, and on SQLite no write lock, is ever held while Telegram answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.config import Settings
from bot.db.engine import SessionFactory, current_session
from bot.notify import Notifier
from bot.runtime.clock import Clock
from bot.services.container import Services


class DbSessionMiddleware(BaseMiddleware):
    def __init__(
        self, session_factory: SessionFactory, clock: Clock, settings: Settings, notifier: Notifier
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.settings = settings
        self.notifier = notifier

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.session_factory() as session:
            data["session"] = session
            data["services"] = Services(session, self.clock, self.settings, self.notifier)
            token = current_session.set(session)
            try:
                result = await handler(event, data)
            finally:
                current_session.reset(token)
            await session.commit()
            return result

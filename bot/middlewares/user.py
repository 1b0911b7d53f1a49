"""Loads (or registers) the sender, with their role, before any handler runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser

from bot.runtime.i18n import user_locale
from bot.services.container import Services
from bot.services.users import TelegramPerson
from core.roles import Role


class UserMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is None or sender.is_bot:
            return await handler(event, data)
        services: Services = data["services"]
        user, created = await services.users.touch(
            TelegramPerson(sender.id, sender.full_name, sender.language_code)
        )
        # Registration is its own unit of work, kept even if the handler fails later. When
        # nothing changed (most updates) the read goes on into the handler's transaction.
        if created or services.session.dirty:
            await services.session.commit()
        data["user"] = user
        data["role"] = Role(user.role)
        data["is_new_user"] = created
        data["locale"] = user_locale(user, services.settings.default_locale)
        return await handler(event, data)

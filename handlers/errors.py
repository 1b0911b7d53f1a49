"""Errors: a blocked bot marks the person; anything else is logged and apologised for."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.activity import Activity
from bot.db.engine import SessionFactory
from bot.middlewares.callbacks import worth_retrying
from bot.services.users import mark_blocked

log = logging.getLogger(__name__)


async def bot_blocked(event: ErrorEvent, session_factory: SessionFactory) -> None:
    chat_id = getattr(event.exception.method, "chat_id", None)  # type: ignore[attr-defined]
    if not isinstance(chat_id, int):
        return
    log.info("a user blocked the bot; marked")
    async with session_factory() as session:
        await mark_blocked(session, chat_id)
        await session.commit()


async def unexpected(event: ErrorEvent, bot: Bot, activity: Activity, i18n: I18n, **data: Any) -> None:
    if data.get("redelivered_if_failed") and worth_retrying(event.exception):
        # Webhook: not acknowledged, so Telegram delivers the update again (bot/web/webhook.py
        # counts the attempts and drops a poison update); no apology for what will be retried.
        log.warning(
            "update %s failed (%s); it will be delivered again", event.update.update_id, event.exception
        )
        raise event.exception
    activity.failures.append((event.update.update_id, event.exception))
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    chat = data.get("event_chat")
    if chat is None:
        return
    with i18n.context(), i18n.use_locale(data.get("locale") or i18n.default_locale):
        try:
            await bot.send_message(chat.id, _("抱歉，处理时出了点问题，您的操作没有完成。请稍后再试。"))
        except Exception:  # the apology is best effort; the failure is already recorded
            log.exception("could not apologise for update %s", event.update.update_id)


def setup() -> Router:
    router = Router(name="errors")
    router.errors.register(bot_blocked, ExceptionTypeFilter(TelegramForbiddenError))
    router.errors.register(unexpected)
    return router

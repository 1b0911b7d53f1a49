"""Telling people what happened, each in their own language.

Sends go straight to Telegram for now; a person who blocked the bot is marked and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html

from bot.db.engine import SessionFactory
from bot.db.models import Suggestion, SuggestionEvent, User
from bot.i18n import user_locale
from bot.presenters import state_label
from bot.services.suggestions import tracking
from bot.services.users import mark_blocked

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, bot: Bot, i18n: I18n, session_factory: SessionFactory) -> None:
        self.bot = bot
        self.i18n = i18n
        self.session_factory = session_factory

    async def send(self, user: User, render: Callable[[], str]) -> bool:
        """`render` runs in the recipient's language. True when Telegram took the message."""
        if user.is_blocked:
            return False
        with self.i18n.context(), self.i18n.use_locale(user_locale(user, self.i18n.default_locale)):
            text = render()
        try:
            await self.bot.send_message(user.telegram_id, text)
        except TelegramForbiddenError:
            async with self.session_factory() as session:
                await mark_blocked(session, user.telegram_id)
                await session.commit()
            return False
        except TelegramAPIError:
            log.exception("notification to user %s failed", user.id)
            return False
        return True

    async def suggestion_changed(
        self, suggestion: Suggestion, event: SuggestionEvent, recipients: Iterable[User]
    ) -> int:
        """The author and the followers hear of every change, except the one who made it."""
        sent = 0
        for user in recipients:
            if user.id == event.actor_id:
                continue
            own = user.id == suggestion.resident_id

            def render(own: bool = own) -> str:
                head = (
                    _("您的建议 <b>{tracking}</b> 有新进展：")
                    if own
                    else _("您关注的建议 <b>{tracking}</b> 有新进展：")
                )
                lines = [
                    head.format(tracking=tracking(suggestion)),
                    f"{state_label(event.old_state)} → {state_label(event.new_state)}",
                ]
                if event.reason:
                    lines.append(_("说明：{reason}").format(reason=html.quote(event.reason)))
                lines.append(_("发送 /my 查看详情。") if own else "")
                return "\n".join(line for line in lines if line)

            sent += await self.send(user, render)
        return sent

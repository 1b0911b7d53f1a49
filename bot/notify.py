"""Telling people what happened, each in their own language.

Sends go straight to Telegram for now; a person who blocked the bot is marked and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html

from bot.db.engine import SessionFactory
from bot.db.models import Suggestion, SuggestionEvent, User
from bot.i18n import user_locale
from bot.keyboards.triage import answer as answer_keyboard
from bot.presenters import category_name, state_label
from bot.services.suggestions import tracking
from bot.services.users import mark_blocked

log = logging.getLogger(__name__)

Rendered = str | tuple[str, InlineKeyboardMarkup | None]


class Notifier:
    def __init__(self, bot: Bot, i18n: I18n, session_factory: SessionFactory) -> None:
        self.bot = bot
        self.i18n = i18n
        self.session_factory = session_factory

    async def send(self, user: User, render: Callable[[], Rendered], photo: str | None = None) -> bool:
        """`render` runs in the recipient's language and gives the text (and buttons).

        True when Telegram took the message. A photo (a Telegram file id) goes first.
        """
        if user.is_blocked:
            return False
        with self.i18n.context(), self.i18n.use_locale(user_locale(user, self.i18n.default_locale)):
            rendered = render()
        text, markup = rendered if isinstance(rendered, tuple) else (rendered, None)
        try:
            if photo:
                await self.bot.send_photo(user.telegram_id, photo)
            await self.bot.send_message(user.telegram_id, text, reply_markup=markup)
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
            sent += await self.send(user, lambda own=own: self._change_message(suggestion, event, own))
        return sent

    @staticmethod
    def _change_message(suggestion: Suggestion, event: SuggestionEvent, own: bool) -> Rendered:
        code = tracking(suggestion)
        if own and event.kind == "ask":
            text = _("人大代表想进一步了解您的建议 <b>{tracking}</b>：\n{question}\n\n请点下面的按钮回答。")
            return text.format(tracking=code, question=html.quote(event.reason or "")), answer_keyboard(
                suggestion
            )
        head = (
            _("您的建议 <b>{tracking}</b> 有新进展：")
            if own
            else _("您关注的建议 <b>{tracking}</b> 有新进展：")
        )
        lines = [
            head.format(tracking=code),
            f"{state_label(event.old_state)} → {state_label(event.new_state)}",
        ]
        if event.kind == "reclassify":
            lines[1] = _("类别改为：{category}").format(category=category_name(suggestion.category))
        elif event.kind == "reassign":
            lines[1] = _("转给了{street}的代表").format(street=html.quote(event.reason or ""))
        elif event.reason:
            lines.append(_("说明：{reason}").format(reason=html.quote(event.reason)))
        if own:
            lines.append(_("发送 /my 查看详情。"))
        return "\n".join(lines)

"""Whatever no flow took: a polite answer, never silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.replies import answer_with


async def stale_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    # Forged data, a button from an old menu, or one whose action is no longer possible.
    answer_with(callback_answer, _("这个按钮已失效，请发送 /start 重新打开菜单。"), alert=True)


async def unknown_text(message: Message) -> None:
    await message.answer(_("抱歉，我没有看懂。请发送 /help 查看可以做什么。"))


async def not_text(message: Message) -> None:
    await message.answer(_("我目前只能读懂文字消息。请用文字写下您的意思，或发送 /help。"))


def setup() -> Router:
    router = Router(name="fallback")
    router.callback_query.register(stale_button)
    router.message.register(unknown_text, F.text)
    router.message.register(not_text)
    return router

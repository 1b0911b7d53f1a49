"""Group chats and channels: the bot is a private conversation, so there it only points the way.

`/start` in a group gets one message with a link to the private chat; nothing else is answered
(no lists, no pseudonyms, no flows): what a resident writes to the bot is not for the group.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.permissions import SHARED_CHATS


async def start_in_group(message: Message, bot: Bot) -> None:
    me = await bot.me()
    await message.answer(
        _("请在私聊中使用民生实事票决助手：https://t.me/{username}?start").format(username=me.username or "")
    )


async def anything_else(message: Message) -> None:
    """Taken so that no later router sees it, and answered with silence."""


async def button_in_group(query: CallbackQuery) -> None:
    """Answered (empty) by CallbackAnswerMiddleware, like every press."""


def setup() -> Router:
    router = Router(name="groups")
    router.message.filter(F.chat.type.in_(SHARED_CHATS))
    router.callback_query.filter(F.message.chat.type.in_(SHARED_CHATS))
    router.message.register(start_in_group, CommandStart())
    router.message.register(anything_else)
    router.callback_query.register(button_in_group)
    return router

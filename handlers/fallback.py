"""Whatever no flow took: a polite answer, never silence.

A command or button that exists but is served only to other roles gets "this is for …" (the
roles read off the router tree, so the answer cannot drift from the permission map)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.common_texts import STALE_BUTTON
from bot.permissions import RoleIs, restricted_entries
from bot.replies import answer_with
from core.roles import Role


class Refusals:
    """The restricted commands and button prefixes of a router tree, with the roles they serve."""

    def __init__(self) -> None:
        self.commands: dict[str, RoleIs] = {}
        self.prefixes: dict[str, RoleIs] = {}

    def learn(self, root: Router) -> None:
        self.commands, self.prefixes = restricted_entries(root)

    def for_text(self, text: str) -> RoleIs | None:
        if not text.startswith("/"):
            return None
        command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
        return self.commands.get(command)

    def for_data(self, data: str | None) -> RoleIs | None:
        prefix = (data or "").split(":", 1)[0]  # every CallbackData here uses the default separator
        return self.prefixes.get(prefix)


def setup(refusals: Refusals | None = None) -> Router:
    refusals = refusals or Refusals()

    async def stale_button(
        query: CallbackQuery, callback_answer: CallbackAnswer, role: Role | None = None
    ) -> None:
        # Forged data, a button from an old menu, one whose action is no longer possible (a
        # second tap after its step ended: the presser's role passes, the step's state does not)
        # — or a button of another role's menu.
        guard = refusals.for_data(query.data)
        if guard is not None and not guard.admits(role):
            answer_with(
                callback_answer, _("这个按钮只对{roles}开放。").format(roles=guard.names()), alert=True
            )
            return
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)

    async def unknown_text(message: Message, role: Role | None = None) -> None:
        guard = refusals.for_text(message.text or "")
        if guard is not None and not guard.admits(role):
            await message.answer(_("这个命令只对{roles}开放。").format(roles=guard.names()))
            return
        await message.answer(_("抱歉，我没有看懂。请发送 /help 查看可以做什么。"))

    async def not_text(message: Message) -> None:
        await message.answer(_("我目前只能读懂文字消息。请用文字写下您的意思，或发送 /help。"))

    router = Router(name="fallback")
    router.callback_query.register(stale_button)
    router.message.register(unknown_text, F.text)
    router.message.register(not_text)
    return router

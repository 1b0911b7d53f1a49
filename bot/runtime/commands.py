"""The command list Telegram shows in its menu, per language and per role."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.i18n import I18n

from bot.common_texts import EVALUATIONS, HELP, INBOX, MY_SUGGESTIONS, POINTS, POOL, ROSTER
from core.roles import Role
from core.text import N_

# (command, description msgid). Descriptions go through the catalogues like every other text.
_COMMON = [
    ("start", N_("开始 / 主菜单")),
    ("my", MY_SUGGESTIONS),
    ("projects", N_("民生实事项目")),
    ("cancel", N_("放弃正在写的建议")),
    ("help", HELP),
    ("language", N_("切换语言")),
]
_DEPUTY = [
    ("inbox", INBOX),
    ("vote", N_("投票")),
    ("onbehalf", N_("代居民提交建议")),
    ("points", POINTS),
]
_BY_ROLE: dict[Role, list[tuple[str, str]]] = {
    Role.DEPUTY: _DEPUTY,
    Role.STAFF: [("pool", POOL), ("report", N_("报告项目进度"))],
    Role.ADMIN: [
        ("inbox", INBOX),
        ("roster", ROSTER),
        ("deputies", N_("管理代表")),
        ("invite", N_("邀请代表或工作人员")),
        ("invites", N_("管理邀请链接")),
        ("pool", POOL),
        ("candidates", N_("编制候选项目")),
        ("rounds", N_("项目票决")),
        ("export", N_("导出履职积分")),
        ("announce", N_("发布通知")),
        ("evaluations", EVALUATIONS),
    ],
}

# Telegram's language_code for each of our catalogues; None is everyone else.
_TELEGRAM_LANGUAGE = {"zh_CN": "zh", "en": "en"}


def commands_for(i18n: I18n, locale: str, role: Role = Role.RESIDENT) -> list[BotCommand]:
    entries = _COMMON + _BY_ROLE.get(role, [])
    return [BotCommand(command=name, description=i18n.gettext(text, locale=locale)) for name, text in entries]


async def register_default_commands(bot: Bot, i18n: I18n) -> None:
    await bot.set_my_commands(commands_for(i18n, i18n.default_locale))
    for locale, language_code in _TELEGRAM_LANGUAGE.items():
        await bot.set_my_commands(commands_for(i18n, locale), language_code=language_code)


async def register_personal_commands(bot: Bot, i18n: I18n, chat_id: int, locale: str, role: Role) -> None:
    """Roles with commands of their own get them in their chat only."""
    if role in _BY_ROLE:
        await bot.set_my_commands(
            commands_for(i18n, locale, role), scope=BotCommandScopeChat(chat_id=chat_id)
        )

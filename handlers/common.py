"""What everyone can say: /start, /help, /language; and the admin's roster overview."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.common_texts import RESIDENT_PSEUDONYM
from bot.db.models import User
from bot.keyboards.common import (
    LANGUAGE_NAMES,
    LanguageChoice,
    MenuAction,
    language_keyboard,
    menu_keyboard,
)
from bot.permissions import restrict
from bot.presenters import area_name
from bot.replies import answer_with, edit_or_send, send
from bot.runtime.commands import commands_for, register_personal_commands
from bot.services.container import Services
from core.roles import Role
from core.safe_html import esc
from core.text import N_


async def _deputy_lines(user: User, services: Services) -> list[str]:
    deputy = await services.roster.by_telegram_id(user.telegram_id)
    street = await services.areas.street(deputy.street_id) if deputy else None
    lines = [_("您是{street}的人大代表。").format(street=esc(area_name(street) if street else "—"))]
    if deputy and deputy.liaison_station:
        lines.append(_("所在联络站：{station}").format(station=esc(deputy.liaison_station)))
    return lines


async def _staff_lines(user: User, services: Services) -> list[str]:
    return [_("您是承办部门的工作人员。")]


async def _admin_lines(user: User, services: Services) -> list[str]:
    return [_("您是人大常委会工作人员（管理员）。")]


async def _resident_lines(user: User, services: Services) -> list[str]:
    return [
        _("群众提、代表定、政府办、人大评：您的民生建议会交给所在街道的人大代表。"),
        _("想提建议，直接用文字写下来就可以，比如：「小区门口的路灯坏了好几个月，晚上出门不安全」。"),
        _("您在这里的代号是 {pseudonym}，代表看到的是代号而不是您的 Telegram 账号。").format(
            pseudonym=_(RESIDENT_PSEUDONYM).format(code=user.pseudonym)
        ),
    ]


# What /start adds for each role: a table, not a chain of role checks.
_ROLE_LINES: dict[Role, Callable[[User, Services], Awaitable[list[str]]]] = {
    Role.DEPUTY: _deputy_lines,
    Role.STAFF: _staff_lines,
    Role.ADMIN: _admin_lines,
    Role.RESIDENT: _resident_lines,
}


async def greeting(user: User, role: Role, services: Services, is_new: bool) -> str:
    name = esc(user.full_name or _("朋友"))
    hello = _("您好，{name}！欢迎使用民生实事票决助手。") if is_new else _("{name}，欢迎回来！")
    lines = [hello.format(name=name), *await _ROLE_LINES[role](user, services)]
    lines.append("")
    lines.append(_("请选择下面的功能，或发送 /help 查看说明。"))
    return "\n".join(lines)


def help_text(role: Role, i18n: I18n) -> str:
    """The role's commands, described as in Telegram's command menu (one table for both)."""
    lines = [_("<b>民生实事票决助手</b>"), "", _("直接发送文字即可提交民生建议；可以附一张照片。"), ""]
    lines += [
        f"/{command.command} — {command.description}"
        for command in commands_for(i18n, i18n.current_locale, role)
    ]
    lines += [_(extra) if extra else "" for extra in _HELP_EXTRA.get(role, ())]
    return "\n".join(lines)


# Lines /help adds for a role after its commands.
_HELP_EXTRA: dict[Role, tuple[str, ...]] = {
    Role.ADMIN: (
        "",
        N_("导入区域与代表名册：python -m bot areas import FILE、python -m bot roster import FILE.csv"),
    )
}


async def start(
    message: Message, bot: Bot, user: User, role: Role, services: Services, is_new_user: bool, i18n: I18n
) -> None:
    await message.answer(await greeting(user, role, services, is_new_user), reply_markup=menu_keyboard(role))
    await register_personal_commands(bot, i18n, message.chat.id, i18n.current_locale, role)


async def help_command(message: Message, role: Role, i18n: I18n) -> None:
    await message.answer(help_text(role, i18n))


async def help_button(query: CallbackQuery, role: Role, i18n: I18n) -> None:
    await send(query, help_text(role, i18n))


async def language_command(message: Message) -> None:
    await message.answer(_("请选择语言 / Choose your language:"), reply_markup=language_keyboard())


async def language_button(query: CallbackQuery) -> None:
    await send(query, _("请选择语言 / Choose your language:"), reply_markup=language_keyboard())


async def language_chosen(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: LanguageChoice,
    user: User,
    services: Services,
    i18n: I18n,
) -> None:
    await services.users.set_locale(user, callback_data.code)
    with i18n.use_locale(callback_data.code):
        text = _("已切换为{language}。").format(language=LANGUAGE_NAMES[callback_data.code])
        answer_with(callback_answer, text)
        await edit_or_send(query, text)


async def roster_overview(services: Services) -> str:
    rows = await services.areas.deputies_per_street()
    if not rows:
        return _("还没有导入区域。请运行 python -m bot areas import FILE。")
    lines = [_("<b>代表名册</b>（各街道在册代表）")]
    lines += [f"{esc(area_name(street))}：{count}" for street, count in rows]
    lines.append(_("合计：{total}").format(total=sum(count for _street, count in rows)))
    return "\n".join(lines)


async def roster_command(message: Message, services: Services) -> None:
    await message.answer(await roster_overview(services))


async def roster_button(query: CallbackQuery, callback_answer: CallbackAnswer, services: Services) -> None:
    await send(query, await roster_overview(services))


def setup() -> Router:
    router = Router(name="common")
    router.message.register(start, CommandStart())
    router.message.register(help_command, Command("help"))
    router.callback_query.register(help_button, MenuAction.filter(F.action == "help"))
    router.message.register(language_command, Command("language"))
    router.callback_query.register(language_button, MenuAction.filter(F.action == "language"))
    router.callback_query.register(language_chosen, LanguageChoice.filter(F.code.in_(LANGUAGE_NAMES)))
    office = restrict(Router(name="common.admin"), Role.ADMIN)
    office.message.register(roster_command, Command("roster"))
    office.callback_query.register(roster_button, MenuAction.filter(F.action == "roster"))
    router.include_router(office)
    return router

"""A deputy's day: /inbox lists the street's suggestions waiting (acting on a card is in
handlers/triage.py); /onbehalf for a resident met at a station; /points for the ledger.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.common_texts import SAY_MORE
from bot.config import Settings
from bot.db.models import User
from bot.keyboards import triage as kb
from bot.keyboards.common import MenuAction
from bot.notices.suggestions import deliver_card
from bot.permissions import restrict
from bot.presenters import action_label, category_name, suggestion_line
from bot.replies import edit_or_send, send
from bot.services.container import Services
from bot.services.suggestions import tracking
from core.classify import Classifier
from core.intake import check_text
from core.roles import Role


class OnBehalf(StatesGroup):
    text = State()


# -- inbox ---------------------------------------------------------------------------------------
async def inbox_text(
    services: Services, user: User, role: Role, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    rows, pages = await services.triage.inbox(user, role, page)
    if not rows:
        return _("收件箱是空的：没有等待处理的建议。"), None
    page = min(max(page, 1), pages)
    header = _("<b>待处理的建议</b>（第 {page}/{pages} 页，最早的在前）").format(page=page, pages=pages)
    body = "\n\n".join(suggestion_line(row) for row in rows)
    return f"{header}\n\n{body}", kb.listing(rows, page, pages, kb.InboxPage)


async def inbox(message: Message, services: Services, user: User, role: Role) -> None:
    text, markup = await inbox_text(services, user, role, 1)
    await message.answer(text, reply_markup=markup)


async def inbox_page(
    query: CallbackQuery, callback_data: kb.InboxPage, services: Services, user: User, role: Role
) -> None:
    text, markup = await inbox_text(services, user, role, callback_data.page)
    await edit_or_send(query, text, reply_markup=markup)


# -- on behalf of a resident, and points ----------------------------------------------------------
async def on_behalf(message: Message, state: FSMContext) -> None:
    await state.set_state(OnBehalf.text)
    await message.answer(
        _("请写下您在联络站听到的居民建议，我会以代征集的方式提交到您的街道（发送 /cancel 取消）：")
    )


async def on_behalf_text(
    message: Message,
    state: FSMContext,
    services: Services,
    user: User,
    classifier: Classifier,
) -> None:
    text = (message.text or "").strip()
    if check_text(text, services.settings.suggestion_max_chars) is not None:
        await message.answer(_(SAY_MORE))
        return
    deputy = await services.triage.deputy_of(user)
    if deputy is None:
        await state.clear()
        await message.answer(_("只有人大代表可以代居民提交建议。"))
        return
    guess = classifier.classify(text)
    suggestion = await services.suggestions.submit_on_behalf(user, deputy, text, guess)
    await services.triage.earn_on_behalf(user, suggestion)
    await services.commit()
    await state.clear()
    await message.answer(
        _("已代为提交，编号 <b>{tracking}</b>（类别：{category}）。本街道的其他代表会收到它。").format(
            tracking=tracking(suggestion), category=category_name(suggestion.category)
        )
    )
    await deliver_card(services, suggestion, skip=user.id)


async def points_text(services: Services, user: User, settings: Settings) -> str:
    deputy = await services.triage.deputy_of(user)
    if deputy is None:
        return _("履职积分只对人大代表记录。")
    entries, total, rank, ranked = await services.triage.ledger(deputy)
    lines = [
        _("<b>履职积分</b>：{total} 分，排名 {rank}/{ranked}").format(total=total, rank=rank, ranked=ranked)
    ]
    if not entries:
        lines.append(_("还没有积分记录：处理建议就会得分。"))
        return "\n".join(lines)
    lines += ["", _("最近的记录：")]
    for entry in entries:
        when = entry.at.astimezone(settings.tz).strftime("%m-%d %H:%M")
        lines.append(f"{when} {action_label(entry.action)} +{entry.points}")
    return "\n".join(lines)


async def points(message: Message, services: Services, user: User, settings: Settings) -> None:
    await message.answer(await points_text(services, user, settings))


async def inbox_button(query: CallbackQuery, services: Services, user: User, role: Role) -> None:
    text, markup = await inbox_text(services, user, role, 1)
    await send(query, text, reply_markup=markup)


async def points_button(query: CallbackQuery, services: Services, user: User, settings: Settings) -> None:
    await send(query, await points_text(services, user, settings))


def setup() -> Router:
    """The inbox for deputies and admins; on-behalf submissions and points for deputies."""
    router = restrict(Router(name="deputy"), Role.DEPUTY, Role.ADMIN)
    router.callback_query.register(inbox_button, MenuAction.filter(F.action == "inbox"))
    router.message.register(inbox, Command("inbox"))
    router.callback_query.register(inbox_page, kb.InboxPage.filter())
    own = restrict(Router(name="deputy.own"), Role.DEPUTY)
    own.callback_query.register(points_button, MenuAction.filter(F.action == "points"))
    own.message.register(on_behalf, Command("onbehalf"))
    own.message.register(points, Command("points"))
    own.message.register(on_behalf_text, OnBehalf.text, F.text, ~F.text.startswith("/"))
    parent = Router(name="deputies")
    parent.include_routers(router, own)
    return parent

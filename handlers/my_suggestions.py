"""/my: a resident's suggestions, each with its whole history; withdrawing one not yet handled."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.db.models import Suggestion, User
from bot.keyboards import suggestions as kb
from bot.keyboards.common import MenuAction
from bot.keyboards.triage import with_full_text
from bot.notices.suggestions import changed
from bot.presenters import is_shortened, suggestion_detail, suggestion_line
from bot.replies import answer_with, edit_or_send, send
from bot.services.container import Services
from bot.services.suggestions import StaleChange, tracking
from core.permissions import Access, Need


async def my_page_text(services: Services, user: User, page: int) -> tuple[str, object]:
    suggestions, pages = await services.suggestions.page_of(user, page)
    if not suggestions:
        return _("您还没有提交或关注过建议。直接写下您希望办的民生实事，就可以开始。"), None
    page = min(max(page, 1), pages)
    header = _("<b>我的建议</b>（第 {page}/{pages} 页）").format(page=page, pages=pages)
    body = "\n\n".join(
        suggestion_line(suggestion, followed=suggestion.resident_id != user.id) for suggestion in suggestions
    )
    return f"{header}\n\n{body}\n\n" + _("点编号查看详情和全部进展。"), kb.my_list(suggestions, page, pages)


async def my_command(message: Message, services: Services, user: User) -> None:
    text, markup = await my_page_text(services, user, 1)
    await message.answer(text, reply_markup=markup)


async def my_page(query: CallbackQuery, callback_data: kb.MyPage, services: Services, user: User) -> None:
    text, markup = await my_page_text(services, user, callback_data.page)
    await edit_or_send(query, text, reply_markup=markup)


async def my_menu(query: CallbackQuery, services: Services, user: User) -> None:
    text, markup = await my_page_text(services, user, 1)
    await send(query, text, reply_markup=markup)


async def show(
    query: CallbackQuery,
    services: Services,
    user: User,
    settings: Settings,
    suggestion: Suggestion,
    access: Access,
) -> None:
    """A suggestion's detail: the suggestion loader lets in its readers (core.permissions), and a
    follower's page leaves out the questions and answers between the author and the deputies."""
    view = await services.suggestions.view(suggestion.id)  # type: ignore[arg-type]
    withdrawable = await services.suggestions.can_withdraw(suggestion, user)
    markup = kb.detail(suggestion, withdrawable)
    if is_shortened(view):  # type: ignore[arg-type]
        markup = with_full_text(markup, suggestion)
    await edit_or_send(query, suggestion_detail(view, settings.tz, access), reply_markup=markup)  # type: ignore[arg-type]


async def withdraw(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Withdraw,
    services: Services,
    user: User,
) -> None:
    view = await services.suggestions.view(callback_data.id)
    if view is None or not await services.suggestions.can_withdraw(view.suggestion, user):
        answer_with(callback_answer, _("这条建议已经有代表处理，不能再撤回了。"), alert=True)
        return
    suggestion = view.suggestion
    if not callback_data.confirmed:
        await edit_or_send(
            query,
            _("确定撤回 <b>{tracking}</b> 吗？撤回后代表将不再处理。").format(tracking=tracking(suggestion)),
            reply_markup=kb.confirm_withdraw(suggestion),
        )
        return
    try:
        event = await services.suggestions.withdraw(suggestion, user)
    except StaleChange:
        answer_with(callback_answer, _("这条建议已经有代表处理，不能再撤回了。"), alert=True)
        return
    await changed(services, suggestion, event)
    await services.commit()
    await edit_or_send(query, _("已撤回 <b>{tracking}</b>。").format(tracking=tracking(suggestion)))


def setup() -> Router:
    router = Router(name="my_suggestions")
    router.message.register(my_command, Command("my"))
    router.callback_query.register(my_page, kb.MyPage.filter())
    router.callback_query.register(my_menu, MenuAction.filter(F.action == "my"))
    router.callback_query.register(show, kb.ShowSuggestion.filter(), flags={"suggestion": Need.READ})
    router.callback_query.register(withdraw, kb.Withdraw.filter())
    return router

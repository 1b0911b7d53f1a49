"""A deputy asked back: the resident answers in chat, and the answer returns to the card."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.db.models import User
from bot.keyboards.triage import AnswerQuestion
from bot.notices.suggestions import deliver_card
from bot.replies import answer_with, refuse_too_long, send
from bot.services.container import Services
from bot.services.suggestions import StaleChange, tracking
from core.roles import Role
from core.text import N_
from core.workflow import Action, TransitionRefused
from core.workflow import State as SuggestionState


class Answering(StatesGroup):
    text = State()


async def start_answer(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: AnswerQuestion,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    suggestion = await services.suggestions.get(callback_data.sid)
    if (
        suggestion is None
        or suggestion.resident_id != user.id
        or suggestion.state != SuggestionState.NEEDS_INFO
        or suggestion.version != callback_data.v
    ):
        answer_with(callback_answer, _("这个问题已经回答过，或者不再需要回答。"), alert=True)
        return
    await state.set_state(Answering.text)
    await state.set_data({"sid": suggestion.id, "v": suggestion.version})
    await send(query, _("请写下您的回答（发送 /cancel 取消）："))


async def answer_text(
    message: Message,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    text = (message.text or "").strip()
    if len(text) < 2:
        await message.answer(_("请写下您的回答。"))
        return
    if await refuse_too_long(message, text, services.settings.suggestion_max_chars):
        return
    data = await state.get_data()
    await state.clear()
    suggestion = await services.suggestions.get(data["sid"])
    if suggestion is None or suggestion.resident_id != user.id or suggestion.version != data["v"]:
        await message.answer(_("这个问题已经回答过，或者不再需要回答。"))
        return
    try:
        await services.suggestions.move(suggestion, Action.ANSWER, user, Role.RESIDENT, text)
    except (TransitionRefused, StaleChange):
        await message.answer(_("这个问题已经回答过，或者不再需要回答。"))
        return
    await deliver_card(services, suggestion, intro=N_("💬 居民回答了您的追问："))
    await services.commit()
    await message.answer(_("谢谢！您的回答已转给代表（{tracking}）。").format(tracking=tracking(suggestion)))


def setup() -> Router:
    router = Router(name="questions")
    router.callback_query.register(start_answer, AnswerQuestion.filter())
    router.message.register(answer_text, Answering.text, F.text, ~F.text.startswith("/"))
    return router

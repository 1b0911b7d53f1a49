"""Evaluation rounds in chat: the admin schedules and publishes; each deputy rates the year's
projects card by card, reviews, submits once and keeps a receipt."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.common_texts import NOT_NOW, STALE_BUTTON
from bot.db.models import Deputy, EvaluationRound, Project, User
from bot.evaluation_texts import SUBMITTED, TIMES_PROMPT, admin_card, project_card, rating_refusal, review
from bot.exports.annual import csv_files, workbook, year_tables
from bot.keyboards import evaluations as kb
from bot.loaders import RoundPress
from bot.notices.evaluations import close_evaluation, publish_evaluation
from bot.permissions import restrict
from bot.replies import answer_with, card_reply, edit_or_send, send, window_from
from bot.services.container import Services
from bot.services.evaluations import RatingRefused
from core.roles import Role
from core.rounds import EvaluationAct, ballot_refusal, evaluation_actions, fingerprint


class EvaluationInput(StatesGroup):
    times = State()


# -- admin --------------------------------------------------------------------------------------
async def evaluations_command(message: Message, services: Services) -> None:
    rounds = await services.evaluations.recent()
    year = services.clock.now().year
    await message.answer(_("效果票评："), reply_markup=kb.admin_list(rounds, year))


async def show(target: CallbackQuery | Message, services: Services, round_: EvaluationRound) -> None:
    projects = await services.evaluations.projects(round_)
    voters = await services.evaluations.voters(round_)
    text = admin_card(round_, len(projects), voters, services.settings.tz)
    await card_reply(target, text, kb.admin_card(round_))


async def admin_action(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.EvalAdmin,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    act = callback_data.act
    if act == "new":
        year = services.clock.now().year
        if not await services.projects.of_year(year):
            answer_with(
                callback_answer, _("{year}年还没有民生实事项目，无法评议。").format(year=year), alert=True
            )
            return
        round_ = await services.evaluations.create(year, user)
        await services.commit()
        await show(query, services, round_)
        return
    round_ = await services.evaluations.get(callback_data.rid)
    if round_ is None:
        answer_with(callback_answer, _("没有找到这次效果票评。"), alert=True)
        return
    if act not in evaluation_actions(round_.status):
        answer_with(callback_answer, _(NOT_NOW), alert=True)
        return
    press = EvalPress(query, callback_answer, state, user, services, round_)
    await EVALUATION_ACTIONS[EvaluationAct(act)](press)


EvalPress = RoundPress[EvaluationRound]


async def eval_show(press: EvalPress) -> None:
    await show(press.query, press.services, press.round)


async def eval_times(press: EvalPress) -> None:
    await press.state.set_state(EvaluationInput.times)
    await press.state.set_data({"rid": press.round.id})
    await send(
        press.query,
        _(TIMES_PROMPT).format(tz=press.services.settings.timezone),
    )


async def eval_turnout(press: EvalPress) -> None:
    voters = await press.services.evaluations.voters(press.round)
    answer_with(
        press.callback_answer,
        _("已提交 {voters}/{electorate} 人。").format(voters=voters, electorate=press.round.electorate),
        alert=True,
    )


async def eval_close(press: EvalPress) -> None:
    await close_evaluation(press.services, press.round)
    await press.services.commit()
    await show(press.query, press.services, press.round)


async def eval_publish(press: EvalPress) -> None:
    await publish_evaluation(press.services, press.round)
    await show(press.query, press.services, press.round)


async def eval_export(press: EvalPress) -> None:
    await send_export(press.query, press.services, press.round.year)


# One function per action of core.rounds.EVALUATION_LIFECYCLE.
EVALUATION_ACTIONS: dict[EvaluationAct, Callable[[EvalPress], Awaitable[None]]] = {
    EvaluationAct.SHOW: eval_show,
    EvaluationAct.TIMES: eval_times,
    EvaluationAct.TURNOUT: eval_turnout,
    EvaluationAct.CLOSE: eval_close,
    EvaluationAct.PUBLISH: eval_publish,
    EvaluationAct.EXPORT: eval_export,
}


async def times_given(message: Message, state: FSMContext, services: Services) -> None:
    data = await state.get_data()
    round_ = await services.evaluations.get(data.get("rid", 0))
    if round_ is None or round_.status not in ("draft", "scheduled"):
        await state.clear()
        await message.answer(_(NOT_NOW))
        return
    window = await window_from(
        message,
        services.settings.tz,
        services.clock.now(),
        _("没有看懂时间。请按这个格式发送：2027-12-20 09:00 2027-12-27 17:00"),
        _("开始时间不能早于现在，结束时间要晚于开始时间。"),
    )
    if window is None:
        return
    opens, closes = window
    await state.clear()
    await services.evaluations.schedule(round_, opens, closes)
    await services.commit()
    await show(message, services, round_)


async def send_export(query: CallbackQuery, services: Services, year: int) -> None:
    tables = await year_tables(services.session, year, services.settings.tz)
    await query.bot.send_document(  # type: ignore[union-attr]
        query.from_user.id,
        BufferedInputFile(workbook(tables), f"minsheng-{year}.xlsx"),
        caption=_(
            "{year}年度数据：建议、履职积分、票决结果、项目与预算执行、效果票评、责任单位评分。"
        ).format(year=year),
    )
    for name, content in csv_files(tables).items():
        await query.bot.send_document(query.from_user.id, BufferedInputFile(content, f"{year}-{name}"))  # type: ignore[union-attr]


# -- deputies -----------------------------------------------------------------------------------
async def rating_context(
    query: CallbackQuery, services: Services, user: User, rid: int, *, callback_answer: CallbackAnswer
):  # type: ignore[no-untyped-def]
    """The round, the deputy behind a press and the round's projects, or None after telling them
    why not."""
    round_ = await services.evaluations.get(rid)
    deputy = await services.users.active_deputy(user.telegram_id)
    if deputy is None:
        answer_with(callback_answer, rating_refusal("not_deputy"), alert=True)
        return None
    if round_ is None or round_.status != "open":
        answer_with(callback_answer, rating_refusal("closed"), alert=True)
        return None
    if await services.evaluations.has_rated(round_, deputy):
        answer_with(callback_answer, rating_refusal("rated"), alert=True)
        return None
    if not await services.evaluations.is_elector(round_, deputy):
        answer_with(callback_answer, rating_refusal("not_elector"), alert=True)
        return None
    if ballot_refusal(round_.status, round_.closes_at, services.clock.now()) is not None:
        answer_with(callback_answer, rating_refusal("late"), alert=True)
        return None
    return round_, deputy, await services.evaluations.projects(round_)


async def show_card(
    query: CallbackQuery,
    services: Services,
    round_: EvaluationRound,
    deputy,
    projects: list[Project],
    index: int,
) -> None:
    index = min(max(index, 0), len(projects) - 1)
    project = projects[index]
    ratings = await services.evaluations.draft(round_, deputy)
    last = await services.projects.latest_report(project)
    chosen = ratings.get(str(project.id))
    text = project_card(
        round_, project, index, len(projects), len(ratings), last, chosen, services.settings.tz
    )
    markup = kb.rating_card(round_, index, len(projects), chosen, bool(last and last.media_kind == "photo"))
    await edit_or_send(query, text, reply_markup=markup)


async def rate_pressed(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.EvalRate,
    services: Services,
    user: User,
) -> None:
    context = await rating_context(query, services, user, callback_data.rid, callback_answer=callback_answer)
    if context is None:
        return
    round_, deputy, projects = context
    if not 0 <= callback_data.i < len(projects) or callback_data.r not in kb.LONG:
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    try:
        await services.evaluations.rate(
            round_, deputy, projects[callback_data.i].id, kb.LONG[callback_data.r]
        )  # type: ignore[arg-type]
    except RatingRefused as refused:
        await services.rollback()
        answer_with(callback_answer, rating_refusal(refused.reason), alert=True)
        return
    await services.commit()
    # After a rating, the next project's card (the last one stays, ready for the review).
    following = callback_data.i + 1 if callback_data.i + 1 < len(projects) else callback_data.i
    await show_card(query, services, round_, deputy, projects, following)


async def nav_pressed(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.EvalNav,
    services: Services,
    user: User,
) -> None:
    context = await rating_context(query, services, user, callback_data.rid, callback_answer=callback_answer)
    if context is None:
        return
    round_, deputy, projects = context
    if callback_data.act in ("review", "submit"):
        # "submit": a confirm button sent before confirmations carried what they confirm: ask again.
        await show_review(query, services, round_, deputy, projects, changed=callback_data.act == "submit")
    elif callback_data.act == "photo" and 0 <= callback_data.i < len(projects):
        last = await services.projects.latest_report(projects[callback_data.i])
        if last and last.media_kind == "photo" and last.media:
            await query.bot.send_photo(query.from_user.id, last.media, caption=projects[callback_data.i].name)  # type: ignore[union-attr]
    else:
        await show_card(query, services, round_, deputy, projects, callback_data.i)


async def show_review(
    query: CallbackQuery,
    services: Services,
    round_: EvaluationRound,
    deputy: Deputy,
    projects: list[Project],
    changed: bool = False,
) -> None:
    """The review screen; its confirm button carries the fingerprint of these ratings."""
    ratings = await services.evaluations.draft(round_, deputy)
    fp = fingerprint(ratings)
    await edit_or_send(query, review(round_, projects, ratings, changed), reply_markup=kb.review(round_, fp))


async def confirm_pressed(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.EvalConfirm,
    services: Services,
    user: User,
) -> None:
    """Submits the ratings the review screen showed — only those: if they changed since (another
    card, another device), the new ratings are shown for confirmation instead."""
    context = await rating_context(query, services, user, callback_data.rid, callback_answer=callback_answer)
    if context is None:
        return
    round_, deputy, _projects = context
    try:
        receipt = await services.evaluations.submit(round_, deputy, callback_data.fp)
    except RatingRefused as refused:
        if refused.reason == "changed":  # nothing was written: the ratings as they are now, to confirm
            await show_review(query, services, *context, changed=True)
            return
        await services.rollback()
        answer_with(callback_answer, rating_refusal(refused.reason), alert=True)
        return
    await services.commit()
    await edit_or_send(
        query,
        _(SUBMITTED).format(receipt=receipt),
    )


def setup() -> Router:
    """The office schedules and publishes; deputies rate (the electorate is checked when rating)."""
    office = restrict(Router(name="evaluations.admin"), Role.ADMIN)
    office.message.register(evaluations_command, Command("evaluations"))
    office.callback_query.register(admin_action, kb.EvalAdmin.filter())
    office.message.register(times_given, EvaluationInput.times, F.text, ~F.text.startswith("/"))
    rating = restrict(Router(name="evaluations.rating"), Role.DEPUTY, Role.ADMIN)
    rating.callback_query.register(rate_pressed, kb.EvalRate.filter())
    rating.callback_query.register(nav_pressed, kb.EvalNav.filter())
    rating.callback_query.register(confirm_pressed, kb.EvalConfirm.filter())
    router = Router(name="evaluations")
    router.include_routers(office, rating)
    return router

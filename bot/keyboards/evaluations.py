"""Buttons of evaluation rounds: the admin's card and the deputy's rating cards."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.common_texts import CONFIRM_SUBMIT, PUBLISH_RESULTS, TURNOUT
from bot.db.models import EvaluationRound
from bot.evaluation_texts import RATING_LABELS, title
from bot.keyboards import Int
from bot.keyboards.builder import InlineKeyboardBuilder
from core.rounds import EvaluationAct, evaluation_actions
from core.text import N_

SHORT = {"satisfied": "s", "basically_satisfied": "b", "dissatisfied": "d"}
LONG = {short: rating for rating, short in SHORT.items()}


class EvalAdmin(CallbackData, prefix="ea"):
    rid: Int  # 0 with act "new"
    act: str  # new, show, times, turnout, close, publish, export


class EvalRate(CallbackData, prefix="er"):
    rid: Int
    i: Int  # the card's index among the round's projects
    r: str  # s, b, d


class EvalNav(CallbackData, prefix="en"):
    rid: Int
    i: Int
    act: str = "card"  # card, photo, review (and submit from messages sent before fingerprints: asks again)


class EvalConfirm(CallbackData, prefix="ec"):
    """The review screen's confirm button: `fp` is core.rounds.fingerprint of the ratings it showed."""

    rid: Int
    fp: str


def admin_list(rounds: list[EvaluationRound], year: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for round_ in rounds:
        builder.button(
            text=f"#{round_.id} {title(round_)}", callback_data=EvalAdmin(rid=round_.id or 0, act="show")
        )
    builder.button(
        text=_("➕ 新建{year}年效果票评").format(year=year), callback_data=EvalAdmin(rid=0, act="new")
    )
    builder.adjust(1)
    return builder.as_markup()


EVAL_LABELS = {
    EvaluationAct.TIMES: N_("⏱ 设置时间"),
    EvaluationAct.TURNOUT: N_(TURNOUT),
    EvaluationAct.CLOSE: N_("立即结束"),
    EvaluationAct.PUBLISH: N_(PUBLISH_RESULTS),
    EvaluationAct.EXPORT: N_("📦 年度导出（XLSX）"),
}


def admin_card(round_: EvaluationRound) -> InlineKeyboardMarkup | None:
    """Exactly the actions core.rounds.EVALUATION_LIFECYCLE allows the round now."""
    rid = round_.id or 0
    builder = InlineKeyboardBuilder()
    for act in evaluation_actions(round_.status):
        if act is not EvaluationAct.SHOW:
            builder.button(text=_(EVAL_LABELS[act]), callback_data=EvalAdmin(rid=rid, act=act.value))  # type: ignore[arg-type]
    builder.adjust(2)
    return builder.as_markup() if builder.buttons else None


def rating_card(
    round_: EvaluationRound, index: int, total: int, chosen: str | None, has_photo: bool
) -> InlineKeyboardMarkup:
    rid = round_.id or 0
    builder = InlineKeyboardBuilder()
    for rating, short in SHORT.items():
        mark = "✅ " if chosen == rating else ""
        builder.button(
            text=mark + _(RATING_LABELS[rating]), callback_data=EvalRate(rid=rid, i=index, r=short)
        )
    row = [3]
    nav = 0
    if index > 0:
        builder.button(text=_("‹ 上一个"), callback_data=EvalNav(rid=rid, i=index - 1))
        nav += 1
    if index + 1 < total:
        builder.button(text=_("下一个 ›"), callback_data=EvalNav(rid=rid, i=index + 1))
        nav += 1
    if nav:
        row.append(nav)
    if has_photo:
        builder.button(text=_("📷 现场照片"), callback_data=EvalNav(rid=rid, i=index, act="photo"))
        row.append(1)
    builder.button(text=_("📋 检查并提交"), callback_data=EvalNav(rid=rid, i=index, act="review"))
    row.append(1)
    builder.adjust(*row)
    return builder.as_markup()


def review(round_: EvaluationRound, fp: str) -> InlineKeyboardMarkup:
    """确认提交 binds the ratings the screen showed (their fingerprint `fp`); « 返回修改 goes back."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_(CONFIRM_SUBMIT), callback_data=EvalConfirm(rid=round_.id or 0, fp=fp))
    builder.button(text=_("« 返回修改"), callback_data=EvalNav(rid=round_.id or 0, i=0))
    builder.adjust(2)
    return builder.as_markup()

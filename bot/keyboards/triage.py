"""Buttons on a deputy's suggestion card, the inbox, the staff pool and the admin's lists.

Every action button carries the version of the suggestion the presser saw, so a press on a card
that someone else has acted on since is recognised as stale.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.common_texts import BACK, NEXT_PAGE, PREVIOUS_PAGE
from bot.db.models import Street, Suggestion
from bot.keyboards import Int
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.presenters import area_name, category_name, plain_excerpt
from bot.services.suggestions import tracking
from bot.suggestion_texts import ACTION_LABELS, FORWARDS, STATE_LABELS
from core.categories import default_categories
from core.text import N_
from core.workflow import OPEN_STATES, State

DECLINE_REASONS = [
    N_("与已有建议重复"),
    N_("不属于民生实事范围"),
    N_("已在办理或已经解决"),
    N_("属于个人诉求，请通过信访等渠道反映"),
    N_("内容不清楚，无法办理"),
]


class Card(CallbackData, prefix="tk"):
    """A step on a card: act is a forward, merge, decline, ask, reclass, reassign, or back."""

    sid: Int
    v: Int
    act: str


class Confirm(CallbackData, prefix="tc"):
    sid: Int
    v: Int
    act: str


class DeclineWith(CallbackData, prefix="td"):
    sid: Int
    v: Int
    reason: Int  # an index into DECLINE_REASONS; -1: the deputy writes one


class MergeInto(CallbackData, prefix="tm"):
    sid: Int
    v: Int
    target: Int


class Reclassify(CallbackData, prefix="tr"):
    sid: Int
    v: Int
    code: str


class Reassign(CallbackData, prefix="ts"):
    sid: Int
    v: Int
    street: Int


class OpenCard(CallbackData, prefix="oc"):
    sid: Int


class InboxPage(CallbackData, prefix="ib"):
    page: Int


class Feasibility(CallbackData, prefix="fz"):
    sid: Int
    v: Int
    feasible: bool


class PoolPage(CallbackData, prefix="pl"):
    page: Int


class Nominate(CallbackData, prefix="nm"):
    sid: Int
    v: Int


class NominateTitle(CallbackData, prefix="nt"):
    """The admin confirms the prefilled candidate title."""

    sid: Int
    v: Int


class AnswerQuestion(CallbackData, prefix="aq"):
    sid: Int
    v: Int


class FullText(CallbackData, prefix="ft"):
    """Everything people wrote on a suggestion, sent whole in parts (cards show it shortened)."""

    sid: Int


def with_full_text(markup: InlineKeyboardMarkup | None, suggestion: Suggestion) -> InlineKeyboardMarkup:
    """`markup` with a last row holding the "全文" button."""
    button = InlineKeyboardButton(text=_("全文"), callback_data=FullText(sid=suggestion.id).pack())  # type: ignore[arg-type]
    rows = list(markup.inline_keyboard) if markup else []
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [button]])


def card_actions(suggestion: Suggestion) -> InlineKeyboardMarkup | None:
    if State(suggestion.state) not in OPEN_STATES:
        return None
    sid, v = suggestion.id, suggestion.version
    builder = InlineKeyboardBuilder()
    for act, label in FORWARDS.items():
        builder.button(text=_(label), callback_data=Card(sid=sid, v=v, act=act))
    builder.button(text=_(ACTION_LABELS["merge"]), callback_data=Card(sid=sid, v=v, act="merge"))
    builder.button(text=_(ACTION_LABELS["decline"]), callback_data=Card(sid=sid, v=v, act="decline"))
    builder.button(text=_(ACTION_LABELS["ask"]), callback_data=Card(sid=sid, v=v, act="ask"))
    builder.button(text=_(ACTION_LABELS["reclassify"]), callback_data=Card(sid=sid, v=v, act="reclass"))
    builder.button(text=_(ACTION_LABELS["reassign"]), callback_data=Card(sid=sid, v=v, act="reassign"))
    builder.adjust(2, 2, 3, 2)
    return builder.as_markup()


def _with_back(builder: InlineKeyboardBuilder, suggestion: Suggestion, *sizes: int) -> InlineKeyboardMarkup:
    builder.button(text=_(BACK), callback_data=Card(sid=suggestion.id, v=suggestion.version, act="back"))
    builder.adjust(*sizes, 1)
    return builder.as_markup()


def confirm(suggestion: Suggestion, act: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("确定：{action}").format(action=_(FORWARDS[act])),
        callback_data=Confirm(sid=suggestion.id, v=suggestion.version, act=act),
    )
    return _with_back(builder, suggestion, 1)


def decline_reasons(suggestion: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, reason in enumerate(DECLINE_REASONS):
        builder.button(
            text=_(reason), callback_data=DeclineWith(sid=suggestion.id, v=suggestion.version, reason=index)
        )
    builder.button(
        text=_("✍️ 自己写理由"), callback_data=DeclineWith(sid=suggestion.id, v=suggestion.version, reason=-1)
    )
    return _with_back(builder, suggestion, *([1] * (len(DECLINE_REASONS) + 1)))


def merge_targets(suggestion: Suggestion, targets: Sequence[Suggestion]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for target in targets:
        builder.button(
            text=f"{tracking(target)} {plain_excerpt(target.text, 18)}",
            callback_data=MergeInto(sid=suggestion.id, v=suggestion.version, target=target.id),
        )
    return _with_back(builder, suggestion, *([1] * len(targets)))


def categories(suggestion: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    codes = [c.code for c in default_categories() if c.code != suggestion.category]
    for code in codes:
        builder.button(
            text=category_name(code),
            callback_data=Reclassify(sid=suggestion.id, v=suggestion.version, code=code),
        )
    return _with_back(builder, suggestion, *([2] * ((len(codes) + 1) // 2)))


def streets(suggestion: Suggestion, choices: Sequence[Street]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    others = [street for street in choices if street.id != suggestion.street_id]
    for street in others:
        builder.button(
            text=area_name(street),
            callback_data=Reassign(sid=suggestion.id, v=suggestion.version, street=street.id),
        )
    return _with_back(builder, suggestion, *([2] * ((len(others) + 1) // 2)))


def listing(
    suggestions: Sequence[Suggestion], page: int, pages: int, paging: type[CallbackData]
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for suggestion in suggestions:
        builder.button(text=tracking(suggestion), callback_data=OpenCard(sid=suggestion.id))
    sizes = [1] * len(suggestions)
    if pages > 1:
        if page > 1:
            builder.button(text=_(PREVIOUS_PAGE), callback_data=paging(page=page - 1))
        if page < pages:
            builder.button(text=_(NEXT_PAGE), callback_data=paging(page=page + 1))
        sizes.append(2)
    builder.adjust(*sizes)
    return builder.as_markup()


def feasibility(suggestion: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_(STATE_LABELS[State.FEASIBLE]),
        callback_data=Feasibility(sid=suggestion.id, v=suggestion.version, feasible=True),
    )
    builder.button(
        text=_(STATE_LABELS[State.INFEASIBLE]),
        callback_data=Feasibility(sid=suggestion.id, v=suggestion.version, feasible=False),
    )
    return builder.as_markup()


def nominate(suggestion: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("列为候选项目"), callback_data=Nominate(sid=suggestion.id, v=suggestion.version))
    return builder.as_markup()


def confirm_title(suggestion: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("用这个标题"), callback_data=NominateTitle(sid=suggestion.id, v=suggestion.version))
    return builder.as_markup()


def answer(suggestion: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("回答代表的问题"), callback_data=AnswerQuestion(sid=suggestion.id, v=suggestion.version)
    )
    return builder.as_markup()

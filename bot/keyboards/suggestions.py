"""Buttons of the resident's suggestion flow and of /my."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.common_texts import NEXT_PAGE, PREVIOUS_PAGE
from bot.db.models import Community, Street, Suggestion
from bot.keyboards import Int
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.presenters import area_name, category_name
from bot.services.suggestions import tracking
from core.categories import default_categories


class DraftCategory(CallbackData, prefix="dc"):
    draft: Int
    code: str  # a category code, or "*" for the full list


class DraftStreet(CallbackData, prefix="ds"):
    draft: Int
    street: Int  # 0: keep the remembered place; -1: choose another


class DraftCommunity(CallbackData, prefix="dm"):
    draft: Int
    community: Int  # 0: not sure / none of these


class DraftStep(CallbackData, prefix="dx"):
    draft: Int
    action: str  # skip_photo, pseudonym, name, submit_anyway, cancel


class FollowInstead(CallbackData, prefix="df"):
    draft: Int
    target: Int


class MyPage(CallbackData, prefix="my"):
    page: Int


class ShowSuggestion(CallbackData, prefix="sv"):
    id: Int


class Withdraw(CallbackData, prefix="sw"):
    id: Int
    confirmed: bool = False


def confirm_category(draft: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ 对，就是这类"), callback_data=DraftCategory(draft=draft.id, code=draft.category)
    )
    builder.button(text=_("🔄 选其他类别"), callback_data=DraftCategory(draft=draft.id, code="*"))
    builder.button(text=_("✖️ 不提交了"), callback_data=DraftStep(draft=draft.id, action="cancel"))
    builder.adjust(2, 1)
    return builder.as_markup()


def choose_category(draft: Suggestion, ranked: Sequence[str]) -> InlineKeyboardMarkup:
    """The three likeliest categories first, on one row; then the others in the office's order."""
    builder = InlineKeyboardBuilder()
    known = [c.code for c in default_categories()]
    best = [code for code in ranked if code in known][:3]
    order = best + [code for code in known if code not in best]
    for code in order:
        builder.button(text=category_name(code), callback_data=DraftCategory(draft=draft.id, code=code))
    builder.button(text=_("✖️ 不提交了"), callback_data=DraftStep(draft=draft.id, action="cancel"))
    rest = len(order) - len(best)
    builder.adjust(*([len(best)] if best else []), *[2] * (rest // 2), *[1] * (rest % 2), 1)
    return builder.as_markup()


def keep_place(draft: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📍 就是这里"), callback_data=DraftStreet(draft=draft.id, street=0))
    builder.button(text=_("换个地点"), callback_data=DraftStreet(draft=draft.id, street=-1))
    return builder.as_markup()


def choose_street(draft: Suggestion, streets: Sequence[Street]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for street in streets:
        builder.button(text=area_name(street), callback_data=DraftStreet(draft=draft.id, street=street.id))
    builder.adjust(2)
    return builder.as_markup()


def choose_community(draft: Suggestion, communities: Sequence[Community]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for community in communities:
        builder.button(
            text=community.name, callback_data=DraftCommunity(draft=draft.id, community=community.id)
        )
    builder.button(text=_("不确定 / 其他"), callback_data=DraftCommunity(draft=draft.id, community=0))
    builder.adjust(2)
    return builder.as_markup()


def skip_photo(draft: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("跳过，不发照片"), callback_data=DraftStep(draft=draft.id, action="skip_photo"))
    return builder.as_markup()


def share_name(draft: Suggestion, author_pseudonym: str, author_name: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("显示代号 {pseudonym}（推荐）").format(pseudonym=author_pseudonym),
        callback_data=DraftStep(draft=draft.id, action="pseudonym"),
    )
    if author_name:
        builder.button(
            text=_("显示我的名字 {name}").format(name=author_name),
            callback_data=DraftStep(draft=draft.id, action="name"),
        )
    builder.adjust(1)
    return builder.as_markup()


def near_duplicates(draft: Suggestion, similar: Sequence[Suggestion]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for other in similar:
        label = (
            _("不重复提交了（保留 {tracking}）")
            if other.resident_id == draft.resident_id
            else _("👀 关注 {tracking}")
        )
        builder.button(
            text=label.format(tracking=tracking(other)),
            callback_data=FollowInstead(draft=draft.id, target=other.id),
        )
    builder.button(
        text=_("仍然提交我的建议"), callback_data=DraftStep(draft=draft.id, action="submit_anyway")
    )
    builder.adjust(1)
    return builder.as_markup()


def my_list(suggestions: Sequence[Suggestion], page: int, pages: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for suggestion in suggestions:
        builder.button(text=tracking(suggestion), callback_data=ShowSuggestion(id=suggestion.id))
    sizes = [1] * len(suggestions)
    if pages > 1:
        if page > 1:
            builder.button(text=_(PREVIOUS_PAGE), callback_data=MyPage(page=page - 1))
        if page < pages:
            builder.button(text=_(NEXT_PAGE), callback_data=MyPage(page=page + 1))
        sizes.append(2)
    builder.adjust(*sizes)
    return builder.as_markup()


def detail(suggestion: Suggestion, withdrawable: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if withdrawable:
        builder.button(text=_("撤回这条建议"), callback_data=Withdraw(id=suggestion.id))
    builder.button(text=_("« 返回我的建议"), callback_data=MyPage(page=1))
    builder.adjust(1)
    return builder.as_markup()


def confirm_withdraw(suggestion: Suggestion) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("确定撤回"), callback_data=Withdraw(id=suggestion.id, confirmed=True))
    builder.button(text=_("不撤回"), callback_data=ShowSuggestion(id=suggestion.id))
    return builder.as_markup()

"""Buttons every role sees: the menu and the language choice."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.common_texts import HELP, INBOX, MY_SUGGESTIONS, POINTS, POOL, ROSTER
from bot.keyboards.builder import InlineKeyboardBuilder
from core.roles import Role

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


class MenuAction(CallbackData, prefix="menu"):
    action: str


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


def menu_keyboard(role: Role) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if role in (Role.DEPUTY, Role.ADMIN):
        builder.button(text=_(INBOX), callback_data=MenuAction(action="inbox"))
    if role is Role.DEPUTY:
        builder.button(text=_(POINTS), callback_data=MenuAction(action="points"))
    if role in (Role.STAFF, Role.ADMIN):
        builder.button(text=_(POOL), callback_data=MenuAction(action="pool"))
    if role is Role.ADMIN:
        builder.button(text=_(ROSTER), callback_data=MenuAction(action="roster"))
    builder.button(text=_(MY_SUGGESTIONS), callback_data=MenuAction(action="my"))
    builder.button(text=_(HELP), callback_data=MenuAction(action="help"))
    builder.button(text=_("语言 / Language"), callback_data=MenuAction(action="language"))
    builder.adjust(2)
    return builder.as_markup()


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LanguageChoice(code=code))
    return builder.as_markup()

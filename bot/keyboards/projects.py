"""Buttons of projects: browsing, the card's actions by role, reports, changes, announcements."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.common_texts import ALL_DEPUTIES, BACK, CONFIRM_SUBMIT
from bot.db.models import Deputy, Project, Street
from bot.keyboards import Int
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.presenters import area_name, category_name
from bot.project_texts import FIELD_LABELS, MODE_LABELS
from core.categories import default_categories


class Browse(CallbackData, prefix="pb"):
    category: str  # "" = the list of categories


class ProjectAct(CallbackData, prefix="pa"):
    pid: Int
    act: str  # show, follow, unfollow, mode, report, plan, inspect, feedback, change, group, history
    arg: str = ""
    v: Int = 0  # the project version the card showed


class ReportStep(CallbackData, prefix="pr"):
    act: str  # percent, skip, confirm, cancel
    arg: str = ""


class Audience(CallbackData, prefix="an"):
    kind: str  # deputies, street, followers, confirm, cancel, stats
    arg: str = ""


def categories(counts: dict[str, int]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for category in default_categories():
        if counts.get(category.code):
            builder.button(
                text=_("{category}（{count}）").format(
                    category=category_name(category.code), count=counts[category.code]
                ),
                callback_data=Browse(category=category.code),
            )
    builder.adjust(2)
    return builder.as_markup()


def project_list(projects: list[Project], *, browsing: bool = True) -> InlineKeyboardMarkup:
    """Project buttons; when `browsing` the categories, a way back to them."""
    builder = InlineKeyboardBuilder()
    for project in projects:
        builder.button(
            text=f"#{project.id} {project.name[:24]} · {project.percent}%",
            callback_data=ProjectAct(pid=project.id or 0, act="show"),
        )
    if browsing:
        builder.button(text=_("« 全部类别"), callback_data=Browse(category=""))
    builder.adjust(1)
    return builder.as_markup()


def view(project: Project) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("查看项目"), callback_data=ProjectAct(pid=project.id or 0, act="show"))
    return builder.as_markup()


def card(
    project: Project,
    *,
    follow_mode: str | None,
    staff: bool,
    supervisor: bool,
    admin: bool,
    board_url: str | None = None,
) -> InlineKeyboardMarkup:
    pid, v = project.id or 0, project.version
    builder = InlineKeyboardBuilder()
    if follow_mode is None:
        builder.button(text=_("⭐ 关注"), callback_data=ProjectAct(pid=pid, act="follow"))
    else:
        for mode, label in MODE_LABELS.items():
            mark = "✅ " if mode == follow_mode else ""
            builder.button(text=mark + _(label), callback_data=ProjectAct(pid=pid, act="mode", arg=mode))
        builder.button(text=_("💬 反馈意见"), callback_data=ProjectAct(pid=pid, act="feedback"))
        builder.button(text=_("取消关注"), callback_data=ProjectAct(pid=pid, act="unfollow"))
    if staff:
        act, label = ("report", _("📈 报告进度")) if project.plan_filed_at else ("plan", _("📋 提交实施方案"))
        builder.button(text=label, callback_data=ProjectAct(pid=pid, act=act, v=v))
        if project.percent >= 100 and project.done_at is None:
            builder.button(text=_("🎉 标记完成"), callback_data=ProjectAct(pid=pid, act="done", v=v))
    if supervisor:
        builder.button(text=_("🔍 视察记录"), callback_data=ProjectAct(pid=pid, act="inspect"))
    if admin:
        builder.button(text=_("✏️ 变更"), callback_data=ProjectAct(pid=pid, act="change", v=v))
        builder.button(text=_("👥 监督组"), callback_data=ProjectAct(pid=pid, act="group", arg="0"))
    builder.button(text=_("📜 全部动态"), callback_data=ProjectAct(pid=pid, act="history"))
    if board_url:
        builder.button(text=_("🌐 公示页"), url=f"{board_url}/projects/{pid}")
    sizes = [1] if follow_mode is None else [3, 2]
    builder.adjust(*sizes, 2)
    return builder.as_markup()


def fields(project: Project) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for field, label in FIELD_LABELS.items():
        builder.button(
            text=_(label),
            callback_data=ProjectAct(pid=project.id or 0, act="field", arg=field, v=project.version),
        )
    builder.button(text=_(BACK), callback_data=ProjectAct(pid=project.id or 0, act="show"))
    builder.adjust(3, 2, 1)
    return builder.as_markup()


def group(
    project: Project, deputies: list[Deputy], members: set[int], page: int, pages: int
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    pid = project.id or 0
    for deputy in deputies:
        mark = "✅ " if deputy.id in members else ""
        builder.button(
            text=f"{mark}{deputy.name}",
            callback_data=ProjectAct(pid=pid, act="member", arg=f"{deputy.id}-{page}"),
        )
    nav = 0
    if page > 0:
        builder.button(text="‹", callback_data=ProjectAct(pid=pid, act="group", arg=str(page - 1)))
        nav += 1
    if page + 1 < pages:
        builder.button(text="›", callback_data=ProjectAct(pid=pid, act="group", arg=str(page + 1)))
        nav += 1
    builder.button(text=_(BACK), callback_data=ProjectAct(pid=pid, act="show"))
    builder.adjust(*([2] * ((len(deputies) + 1) // 2)), *([nav] if nav else []), 1)
    return builder.as_markup()


def percents() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for percent in range(0, 101, 10):
        builder.button(text=f"{percent}%", callback_data=ReportStep(act="percent", arg=str(percent)))
    builder.button(text=_("取消"), callback_data=ReportStep(act="cancel"))
    builder.adjust(6, 5, 1)
    return builder.as_markup()


def skip(label: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=label, callback_data=ReportStep(act="skip"))
    builder.button(text=_("取消"), callback_data=ReportStep(act="cancel"))
    builder.adjust(1)
    return builder.as_markup()


def _go_or_cancel(label: str, go: CallbackData, cancel: CallbackData) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=label, callback_data=go)
    builder.button(text=_("取消"), callback_data=cancel)
    builder.adjust(2)
    return builder.as_markup()


def confirm() -> InlineKeyboardMarkup:
    return _go_or_cancel(_(CONFIRM_SUBMIT), ReportStep(act="confirm"), ReportStep(act="cancel"))


def audiences() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_(ALL_DEPUTIES), callback_data=Audience(kind="deputies"))
    builder.button(text=_("某街道的居民"), callback_data=Audience(kind="street"))
    builder.button(text=_("某项目的关注者"), callback_data=Audience(kind="followers"))
    builder.button(text=_("取消"), callback_data=Audience(kind="cancel"))
    builder.adjust(1)
    return builder.as_markup()


def street_choice(streets: list[Street]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for street in streets:
        builder.button(text=area_name(street), callback_data=Audience(kind="street", arg=str(street.id)))
    builder.adjust(2)
    return builder.as_markup()


def project_choice(projects: list[Project]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for project in projects:
        builder.button(
            text=f"#{project.id} {project.name[:28]}",
            callback_data=Audience(kind="followers", arg=str(project.id)),
        )
    builder.adjust(1)
    return builder.as_markup()


def announce_confirm() -> InlineKeyboardMarkup:
    return _go_or_cancel(_("✅ 确认发送"), Audience(kind="confirm"), Audience(kind="cancel"))


def stats(notification_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🔄 送达统计"), callback_data=Audience(kind="stats", arg=str(notification_id)))
    return builder.as_markup()

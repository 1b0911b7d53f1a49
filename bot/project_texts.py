"""How projects read in chat: cards, history lines, notices, the weekly digest."""

from __future__ import annotations

from datetime import datetime, tzinfo

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.common_texts import PLACE_LINE
from bot.db.models import Project, ProjectEvent
from bot.presenters import category_name, excerpt
from core.money import share, wan
from core.progress import bar
from core.safe_html import esc
from core.text import N_

STATUS_LABELS = {
    "planning": N_("制定实施方案"),
    "in_progress": N_("实施中"),
    "completed": N_("已完成"),
}
FIELD_LABELS = {
    "name": N_("名称"),
    "scope": N_("建设内容"),
    "budget": N_("预算"),
    "place": N_("地点"),
    "department": N_("责任单位"),
}
MODE_LABELS = {"every": N_("每次更新"), "digest": N_("每周摘要"), "mute": N_("静音")}


def day(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d") if moment else "—"


def money(yuan: int) -> str:
    """万元 in Chinese; whole yuan with separators in English (a "10k" unit reads oddly there)."""
    if get_i18n().current_locale == "en":
        return f"¥{yuan:,}"
    return _("{amount}万元").format(amount=wan(yuan))


def progress_line(project: Project) -> str:
    return f"{bar(project.percent)} {project.percent}%"


def project_line(project: Project) -> str:
    return f"#{project.id} {esc(project.name)} · {project.percent}%"


def budget_line(project: Project) -> str:
    used = share(project.spent, project.budget)
    budget, spent = money(project.budget), money(project.spent)
    if used is None:
        return _("预算 {budget}，已支出 {spent}").format(budget=budget, spent=spent)
    return _("预算 {budget}，已支出 {spent}（{share}%）").format(budget=budget, spent=spent, share=used)


def project_card(project: Project, street: str | None, history: list[ProjectEvent], tz: tzinfo) -> str:
    lines = [
        f"<b>#{project.id} {esc(project.name)}</b>",
        _("{year}年 · {category} · {status}").format(
            year=project.year,
            category=category_name(project.category),
            status=_(STATUS_LABELS[project.status]),
        ),
        _("责任单位：{department}").format(department=esc(project.department or "—")),
        _(PLACE_LINE).format(place=esc(" ".join(filter(None, (street, project.place))) or "—")),
        budget_line(project),
        progress_line(project),
    ]
    if project.scope:
        lines.append(_("建设内容：{scope}").format(scope=esc(project.scope)))
    if project.plan_filed_at is None:
        lines.append(_("实施方案截止：{date}").format(date=day(project.plan_due_at, tz)))
    elif project.next_report_due_at and project.status != "completed":
        lines.append(_("下次进度报告：{date}").format(date=day(project.next_report_due_at, tz)))
    if history:
        lines += ["", _("<b>最近动态</b>")] + [event_line(event, tz) for event in history[:5]]
    return "\n".join(lines)


def event_line(event: ProjectEvent, tz: tzinfo) -> str:
    when = day(event.at, tz)
    if event.kind == "created":
        return _("{date} 确定为民生实事项目").format(date=when)
    if event.kind == "plan":
        return _("{date} 提交实施方案：{text}").format(date=when, text=excerpt(event.text or ""))
    if event.kind == "report":
        head = _("{date} 进度 {percent}%").format(date=when, percent=event.percent)
        if event.milestone:
            head += " · 🏁 " + esc(event.milestone)
        return _("{summary}：{text}").format(summary=head, text=excerpt(event.text or ""))
    if event.kind == "change":
        return _("{date} 变更{field}：{old} → {new}（理由：{reason}）").format(
            date=when,
            field=_(FIELD_LABELS.get(event.field or "", event.field or "")),
            old=esc(_shown(event.field, event.old_value)),
            new=esc(_shown(event.field, event.new_value)),
            reason=esc(event.text or ""),
        )
    if event.kind == "done":
        return _("{date} 责任单位确认完成").format(date=when)
    if event.kind == "inspection":
        return _("{date} 代表视察：{text}").format(date=when, text=excerpt(event.text or ""))
    return _("{date} 居民反馈：{text}").format(date=when, text=excerpt(event.text or ""))


def _shown(field: str | None, value: str | None) -> str:
    if value is None or value == "":
        return "—"
    if field == "budget" and value.isdigit():
        return money(int(value))
    return value


def event_notice(project: Project, event: ProjectEvent, author: str) -> str:
    """What followers, the supervision group and the department are told of an event."""
    name = esc(project.name)
    if event.kind == "plan":
        head = _("📋 <b>{name}</b> 的实施方案已提交（{author}）：").format(name=name, author=author)
    elif event.kind == "report" and event.milestone:
        head = _("🏁 <b>{name}</b> 到达里程碑：{milestone}").format(name=name, milestone=esc(event.milestone))
    elif event.kind == "report":
        head = _("📈 <b>{name}</b> 有新的进度报告（{author}）：").format(name=name, author=author)
    elif event.kind == "change":
        head = _("⚠️ <b>{name}</b> 有变更：").format(name=name)
    elif event.kind == "done":
        head = _("🎉 <b>{name}</b> 已完成（{author}确认）。").format(name=name, author=author)
    elif event.kind == "inspection":
        head = _("🔍 {author}视察了<b>{name}</b>：").format(name=name, author=author)
    else:
        head = _("💬 关于 <b>{name}</b> 的居民反馈（{author}）：").format(name=name, author=author)
    lines = [head]
    if event.kind == "report":
        lines.append(progress_line(project))
        if event.spent is not None:
            lines.append(budget_line(project))
    if event.kind == "change":
        lines.append(
            _("{field}：{old} → {new}").format(
                field=_(FIELD_LABELS.get(event.field or "", event.field or "")),
                old=esc(_shown(event.field, event.old_value)),
                new=esc(_shown(event.field, event.new_value)),
            )
        )
        lines.append(_("理由：{reason}").format(reason=esc(event.text or "")))
    elif event.text:
        lines.append(esc(event.text))
    return "\n".join(lines)


def digest_text(
    start: datetime, end: datetime, projects: list[Project], events: dict[int, list[ProjectEvent]], tz: tzinfo
) -> str:
    lines = [
        _("📰 <b>本周项目进展</b>（{start} 至 {end}）").format(start=day(start, tz), end=day(end, tz)),
    ]
    for project in projects:
        happened = events.get(project.id or 0, [])
        lines += ["", f"<b>{esc(project.name)}</b>", progress_line(project)]
        lines += [f"· {event_line(event, tz)}" for event in happened[-3:]]
        if len(happened) > 3:
            lines.append(_("……共 {count} 条动态，发送 /projects 查看。").format(count=len(happened)))
    lines += ["", _("想每次都收到通知，或不再接收？在项目卡片上选择通知方式。")]
    return "\n".join(lines)


# What the clock tells a project's department and the office (bot/notices/projects.py).
PLAN_REQUESTED = N_("📌 <b>{name}</b> 已确定为民生实事项目，请于 {date} 前提交实施方案。")
OVERDUE_TO_OFFICE = N_("🚨 <b>{name}</b>（{department}）逾期未提交{what}，截止日期 {date}。")
OVERDUE_WHAT = {"plan": N_("实施方案"), "report": N_("进度报告")}
DEADLINE_NOTICES = {
    "plan-reminder": N_("⏰ 提醒：<b>{name}</b> 的实施方案请于 {date} 前提交。"),
    "plan-overdue": N_("❗ <b>{name}</b> 的实施方案已逾期（截止 {date}），请尽快提交。"),
    "report-reminder": N_("⏰ 提醒：<b>{name}</b> 的进度报告请于 {date} 前提交。"),
    "report-overdue": N_("❗ <b>{name}</b> 的进度报告已逾期（截止 {date}），请尽快提交。"),
}

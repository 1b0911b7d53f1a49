"""How evaluation rounds read: the deputy's project card, the review, results, the admin's card."""

from __future__ import annotations

from datetime import tzinfo

from aiogram.utils.i18n import gettext as _

from bot.common_texts import DRAFT, PUBLISHED, SCHEDULED, STATUS_LINE
from bot.db.models import EvaluationRound, Project, ProjectEvent
from bot.presenters import category_name, excerpt
from bot.project_texts import budget_line, day, progress_line
from bot.round_texts import when
from core.consequences import PENALTY_MEASURES
from core.results import DepartmentResult, EvaluationResult, ProjectResult
from core.safe_html import esc
from core.scoring import percent
from core.text import N_

RATING_LABELS = {
    "satisfied": N_("满意"),
    "basically_satisfied": N_("基本满意"),
    "dissatisfied": N_("不满意"),
}
STATUS_LABELS = {
    "draft": DRAFT,
    "scheduled": SCHEDULED,
    "open": N_("评议中"),
    "closed": N_("已结束，待公布"),
    "published": PUBLISHED,
}


REFUSALS = {
    "closed": N_("这次效果票评现在不在评议时间内。"),
    "late": N_("这次效果票评已经截止，您的评价没有计入。"),
    "not_elector": N_("您不在这次效果票评的评议代表名单中：名单在评议开始时确定。"),
    "rated": N_("您已经提交过这次效果票评，不能再修改。"),
    "not_deputy": N_("只有在任的人大代表可以参加效果票评。"),
}


def rating_refusal(reason: str) -> str:
    """Why a deputy's rating or submission was not taken (a RatingRefused reason)."""
    return _(REFUSALS[reason])


def title(round_: EvaluationRound) -> str:
    return _("{year}年民生实事项目效果票评").format(year=round_.year)


def rating_label(rating: str | None) -> str:
    return _(RATING_LABELS[rating]) if rating in RATING_LABELS else _("未评")


def project_card(
    round_: EvaluationRound,
    project: Project,
    index: int,
    total: int,
    rated: int,
    last_report: ProjectEvent | None,
    chosen: str | None,
    tz: tzinfo,
) -> str:
    lines = [
        _("📝 {title} · 已评 {rated}/{total}").format(title=title(round_), rated=rated, total=total),
        "",
        f"<b>{index + 1}/{total} {esc(project.name)}</b>",
        f"{category_name(project.category)} · {esc(project.department)}",
        progress_line(project) + (_("（已完成）") if project.done_at else ""),
        budget_line(project),
    ]
    if last_report is not None:
        lines.append(
            _("最近报告（{date}）：{text}").format(
                date=day(last_report.at, tz), text=excerpt(last_report.text or "")
            )
        )
    lines += ["", _("您的评价：{rating}").format(rating=rating_label(chosen))]
    return "\n".join(lines)


def review(
    round_: EvaluationRound, projects: list[Project], ratings: dict[str, str], changed: bool = False
) -> str:
    """The review screen before 确认提交; `changed`: the ratings changed after the screen was shown."""
    lines = [_("您的评价在检查页面显示之后有改动，请再次确认：")] if changed else []
    lines += [_("请检查您的评价（{title}）：").format(title=title(round_)), ""]
    for project in projects:
        lines.append(f"#{project.id} {esc(project.name)}：{rating_label(ratings.get(str(project.id)))}")
    missing = sum(1 for p in projects if str(p.id) not in ratings)
    lines.append("")
    if missing:
        lines.append(_("还有 {count} 个项目未评，提交后视为不评价。").format(count=missing))
    lines.append(_("提交后不能再修改。"))
    return "\n".join(lines)


def admin_card(round_: EvaluationRound, projects: int, voters: int, tz: tzinfo) -> str:
    lines = [
        f"<b>{title(round_)}</b>",
        _(STATUS_LINE).format(status=_(STATUS_LABELS[round_.status])),
        _("参评项目：{count} 个").format(count=projects),
    ]
    if round_.opens_at and round_.closes_at:
        lines.append(
            _("评议时间：{opens} 至 {closes}").format(
                opens=when(round_.opens_at, tz), closes=when(round_.closes_at, tz)
            )
        )
    if round_.electorate is not None:
        lines.append(
            _("已提交：{voters}/{electorate} 位代表").format(voters=voters, electorate=round_.electorate)
        )
    return "\n".join(lines)


def results_text(round_: EvaluationRound, result: EvaluationResult) -> str:
    """The published result (DESIGN.md "Evaluation round 效果票评": per project, per category, per
    department): participation, each project's outcome, the categories, the departments."""
    lines = [
        _("📊 <b>{title}结果</b>").format(title=title(round_)),
        _("参评代表 {voters}/{electorate}（{share}）").format(
            voters=result.voters, electorate=result.electorate, share=percent(result.participation)
        ),
        "",
        _("<b>项目满意度</b>"),
    ]
    for item in result.projects:
        lines.append(f"#{item.id} {esc(item.name)}：{project_outcome(item)}")
    if result.categories:
        lines += ["", _("<b>分类满意度</b>")]
        lines += [
            f"{category_name(item.category)}：{percent(item.satisfaction)}" for item in result.categories
        ]
    lines += ["", _("<b>责任单位</b>")]
    for department in result.departments:
        lines.append(department_outcome(department))
    return "\n".join(lines)


def project_outcome(item: ProjectResult) -> str:
    """Satisfaction, the satisfied share and the ratings, the tier reached, the penalty line; or
    未获评价 when nobody rated the project (never 0%)."""
    if item.satisfaction is None:
        return _("未获评价")
    text = _("满意度 {rate}（满意 {satisfied}，{count} 票）").format(
        rate=percent(item.satisfaction), satisfied=percent(item.satisfied_share), count=item.ratings
    )
    if item.tier is not None:
        text += " · " + _("🏅 达到 {tier} 档").format(tier=percent(item.tier))
    if item.penalty:
        text += " · " + _("⚠️ 60%以下")
    return text


def department_outcome(department: DepartmentResult) -> str:
    """A department's satisfaction, completion and points; the three measures when a project of it
    is at or below the penalty line."""
    parts = [
        _("{name}：满意度 {rate}").format(
            name=esc(department.department), rate=percent(department.satisfaction)
        )
    ]
    if department.complete:
        parts.append(_("项目全部完成"))
    parts.append(_("加分 {points}").format(points=department.points))
    line = "，".join(parts)
    if department.penalties:
        line += "\n  " + _("⚠️ 须落实：{measures}").format(measures="；".join(_(m) for m in PENALTY_MEASURES))
    return line


def follower_result(round_: EvaluationRound, item: ProjectResult) -> str:
    return _("📊 您关注的 <b>{name}</b> 在{title}中：{outcome}").format(
        name=esc(item.name), title=title(round_), outcome=project_outcome(item)
    )


# What the clock and the outbox tell about an evaluation round (bot/notices/evaluations.py).
UNREACHABLE_RATERS = N_(
    "⚠️ {title}已开始。以下 {count} 位代表无法在聊天中收到评议表（未启动机器人或已屏蔽）：{names}"
)
MISSED_START = N_("⚠️ {title}原定 {opens} 开始，但当时系统未运行，没有开始。请在 /evaluations 重新设置时间。")
STARTED = N_("🗳 {title}开始了，请在 {closes} 前评价今年的每个项目。")
RATING_REMINDER = N_("⏰ 提醒：{title}将于 {closes} 结束，您还没有提交。")
ENDED_TO_OFFICE = N_("{title}已结束，请在 /evaluations 查看并公布结果。")

# The office's prompt for a round's times, and the deputy's receipt.
TIMES_PROMPT = N_("请发送开始和结束时间（{tz}），例如：\n2027-12-20 09:00 2027-12-27 17:00")
SUBMITTED = N_("✅ 已提交，谢谢！\n回执编号：<code>{receipt}</code>\n评价不记名保存，回执只有您知道。")

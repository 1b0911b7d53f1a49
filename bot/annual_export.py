"""The office's year in tables: suggestions with their history, the points ledger, selection
results, projects and their budgets, evaluation results and department scores.

One XLSX workbook (a sheet a table) and the same tables as CSV files. Residents appear by their
pseudonym; nobody's Telegram id is exported.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from fractions import Fraction

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    Deputy,
    EvaluationRound,
    PointsEntry,
    Project,
    RoundCandidate,
    SelectionRound,
    Street,
    Suggestion,
    SuggestionEvent,
    User,
)
from bot.exports import to_csv
from bot.services.suggestions import tracking
from core.consequences import PENALTY_MEASURES
from core.money import share, wan
from core.scoring import percent

Row = Sequence[object]


@dataclass
class Table:
    name: str  # the sheet's title and the CSV's file name
    header: list[str]
    rows: list[Row]


def _time(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _rate(stored: str | None) -> str:
    return percent(None if stored is None else Fraction(stored))


async def year_tables(session: AsyncSession, year: int, tz: tzinfo) -> list[Table]:
    streets = {s.id: s.name for s in (await session.exec(select(Street))).all()}
    return [
        await _suggestions(session, year, tz, streets),
        await _points(session, year, tz),
        await _selection(session, year),
        await _projects(session, year, streets),
        *await _evaluation(session, year),
    ]


async def _suggestions(session: AsyncSession, year: int, tz: tzinfo, streets: dict) -> Table:  # type: ignore[type-arg]
    rows = (
        await session.exec(
            select(Suggestion, User)
            .join(User, col(User.id) == Suggestion.resident_id)
            .where(Suggestion.year == year)
            .order_by(col(Suggestion.number))
        )
    ).all()
    table = Table(
        "建议",
        ["编号", "提交时间", "类别", "街道", "状态", "居民（代号）", "内容", "处理经过"],
        [],
    )
    # Every history of the year in one query, not one query per suggestion.
    events: dict[int, list[SuggestionEvent]] = {}
    for event in (
        await session.exec(
            select(SuggestionEvent)
            .join(Suggestion, col(Suggestion.id) == SuggestionEvent.suggestion_id)
            .where(Suggestion.year == year)
            .order_by(col(SuggestionEvent.id))
        )
    ).all():
        events.setdefault(event.suggestion_id, []).append(event)
    for suggestion, author in rows:
        history = "；".join(
            f"{_time(e.at, tz)} {e.old_state or ''}→{e.new_state or ''}"
            + (f"（{e.reason}）" if e.reason else "")
            for e in events.get(suggestion.id, [])  # type: ignore[arg-type]
        )
        table.rows.append(
            [
                tracking(suggestion),
                _time(suggestion.submitted_at, tz),
                suggestion.category or "",
                streets.get(suggestion.street_id, ""),
                suggestion.state,
                f"居民#{author.pseudonym}",
                suggestion.text,
                history,
            ]
        )
    return table


async def _points(session: AsyncSession, year: int, tz: tzinfo) -> Table:
    rows = (
        await session.exec(
            select(PointsEntry, Deputy)
            .join(Deputy, col(Deputy.id) == PointsEntry.deputy_id)
            .order_by(col(PointsEntry.id))
        )
    ).all()
    return Table(
        "履职积分",
        ["时间", "代表", "事项", "积分", "建议"],
        [
            [_time(entry.at, tz), deputy.name, entry.action, entry.points, entry.suggestion_id or ""]
            for entry, deputy in rows
            if entry.at.astimezone(tz).year == year
        ],
    )


async def _selection(session: AsyncSession, year: int) -> Table:
    table = Table(
        "票决结果", ["票决", "编号", "候选项目", "类别", "来源", "赞成", "反对", "弃权", "当选"], []
    )
    rounds = (
        await session.exec(
            select(SelectionRound).where(SelectionRound.year == year).order_by(col(SelectionRound.id))
        )
    ).all()
    for round_ in rounds:
        result = json.loads(round_.result) if round_.result else {}
        counts, elected = result.get("counts", {}), set(result.get("elected", []))
        candidates = (
            await session.exec(
                select(RoundCandidate)
                .where(RoundCandidate.round_id == round_.id)
                .order_by(col(RoundCandidate.id))
            )
        ).all()
        for candidate in candidates:
            count = counts.get(candidate.code, {})
            table.rows.append(
                [
                    f"#{round_.id} {round_.title}",
                    candidate.code,
                    candidate.title,
                    candidate.category,
                    candidate.origin,
                    count.get("yes", ""),
                    count.get("no", ""),
                    count.get("abstain", ""),
                    "是" if candidate.code in elected else ("否" if result else "未计票"),
                ]
            )
    return table


async def _projects(session: AsyncSession, year: int, streets: dict) -> Table:  # type: ignore[type-arg]
    projects = (
        await session.exec(select(Project).where(Project.year == year).order_by(col(Project.id)))
    ).all()
    return Table(
        "项目与预算执行",
        [
            "项目",
            "名称",
            "类别",
            "责任单位",
            "街道",
            "预算（万元）",
            "已支出（万元）",
            "预算执行率",
            "进度",
            "状态",
        ],
        [
            [
                p.id,
                p.name,
                p.category,
                p.department,
                streets.get(p.street_id, ""),
                float(wan(p.budget)),
                float(wan(p.spent)),
                f"{share(p.spent, p.budget)}%" if p.budget else "",
                f"{p.percent}%",
                p.status,
            ]
            for p in projects
        ],
    )


async def _evaluation(session: AsyncSession, year: int) -> list[Table]:
    projects = Table(
        "效果票评",
        [
            "项目",
            "名称",
            "责任单位",
            "类别",
            "完成",
            "评价数",
            "满意",
            "基本满意",
            "不满意",
            "满意度",
            "满意占比",
            "加分档",
            "60%以下",
        ],
        [],
    )
    departments = Table("责任单位评分", ["责任单位", "项目", "全部完成", "满意度", "加分", "须落实措施"], [])
    rounds = (
        await session.exec(
            select(EvaluationRound).where(EvaluationRound.year == year).order_by(col(EvaluationRound.id))
        )
    ).all()
    for round_ in rounds:
        result = json.loads(round_.result) if round_.result else None
        if result is None:
            continue
        for item in result["projects"]:
            counts = item["counts"]
            projects.rows.append(
                [
                    item["id"],
                    item["name"],
                    item["department"],
                    item["category"],
                    "是" if item["complete"] else "否",
                    item["ratings"],
                    counts["satisfied"],
                    counts["basically_satisfied"],
                    counts["dissatisfied"],
                    _rate(item["satisfaction"]),
                    _rate(item["satisfied_share"]),
                    _rate(item["tier"]) if item["tier"] else "",
                    "是" if item["penalty"] else "否",
                ]
            )
        for department in result["departments"]:
            departments.rows.append(
                [
                    department["department"],
                    "、".join(f"#{pid}" for pid in department["projects"]),
                    "是" if department["complete"] else "否",
                    _rate(department["satisfaction"]),
                    department["points"],
                    "；".join(PENALTY_MEASURES) if department["penalties"] else "",
                ]
            )
    return [projects, departments]


def workbook(tables: list[Table]) -> bytes:
    from openpyxl import Workbook  # 20 MB with numpy: loaded when an office asks for a file

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in tables:
        sheet = book.create_sheet(table.name[:31])
        sheet.append(table.header)
        for row in table.rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_files(tables: list[Table]) -> dict[str, bytes]:
    return {f"{table.name}.csv": to_csv(table.header, table.rows) for table in tables}

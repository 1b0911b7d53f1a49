"""The office's year in tables: suggestions with their history, the points ledger, selection
results, projects and their budgets, evaluation results and department scores.

One XLSX workbook (a sheet a table) and the same tables as CSV files, written by the one export
layer (bot/exports/tables.py: text cells, formulas neutralised, XML-forbidden characters stripped).
Residents appear by their pseudonym; nobody's Telegram id is exported. Headers and values
(categories, states, transitions, statuses, yes/no) read in the language of the current i18n
context: call `year_tables` inside `i18n.context()` with `use_locale(…)` (the office's language,
Chinese by default; the chat export uses the asking admin's).
"""

from __future__ import annotations

from dataclasses import astuple
from datetime import datetime, tzinfo
from decimal import Decimal

from aiogram.utils.i18n import gettext as _
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.common_texts import LIST_SEPARATOR, REASON_ASIDE, RESIDENT_PSEUDONYM
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
from bot.exports import texts
from bot.exports.tables import Table, csv_files, workbook
from bot.exports.texts import headers, origin_label, yes_no
from bot.presenters import action_label, area_name, category_name, state_label
from bot.project_texts import STATUS_LABELS
from bot.services.evaluations import EvaluationService
from bot.services.rounds import RoundService
from bot.services.suggestions import tracking
from core.consequences import PENALTY_MEASURES
from core.money import share, wan
from core.scoring import percent

__all__ = ["Table", "csv_files", "workbook", "year_tables"]


def _time(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


async def year_tables(session: AsyncSession, year: int, tz: tzinfo) -> list[Table]:
    streets = {s.id: area_name(s) for s in (await session.exec(select(Street))).all()}
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
    table = Table(_(texts.SUGGESTIONS_SHEET), headers(texts.SUGGESTION_COLUMNS), [])
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
        history = _("；").join(
            f"{_time(e.at, tz)} {state_label(e.old_state) if e.old_state else ''}→{state_label(e.new_state)}"
            + (_(REASON_ASIDE).format(reason=e.reason) if e.reason else "")
            for e in events.get(suggestion.id, [])  # type: ignore[arg-type]
        )
        table.rows.append(
            [
                tracking(suggestion),
                _time(suggestion.submitted_at, tz),
                category_name(suggestion.category),
                streets.get(suggestion.street_id, ""),
                state_label(suggestion.state),
                _(RESIDENT_PSEUDONYM).format(code=author.pseudonym),
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
        _(texts.POINTS_SHEET),
        headers(texts.POINTS_COLUMNS),
        [
            [_time(entry.at, tz), deputy.name, action_label(entry.action), entry.points, entry.suggestion_id]
            for entry, deputy in rows
            if entry.at.astimezone(tz).year == year
        ],
    )


async def _selection(session: AsyncSession, year: int) -> Table:
    table = Table(_(texts.SELECTION_SHEET), headers(texts.SELECTION_COLUMNS), [])
    rounds = (
        await session.exec(
            select(SelectionRound).where(SelectionRound.year == year).order_by(col(SelectionRound.id))
        )
    ).all()
    for round_ in rounds:
        result = RoundService.result_of(round_)
        candidates = (
            await session.exec(
                select(RoundCandidate)
                .where(RoundCandidate.round_id == round_.id)
                .order_by(col(RoundCandidate.id))
            )
        ).all()
        for candidate in candidates:
            marks = result.counts.get(candidate.code) if result else None
            table.rows.append(
                [
                    f"#{round_.id} {round_.title}",
                    candidate.code,
                    candidate.title,
                    category_name(candidate.category),
                    origin_label(candidate.origin),
                    *(astuple(marks) if marks else (None, None, None)),  # yes, no, abstain
                    yes_no(candidate.code in result.elected) if result else _(texts.NOT_COUNTED),
                ]
            )
    return table


async def _projects(session: AsyncSession, year: int, streets: dict) -> Table:  # type: ignore[type-arg]
    projects = (
        await session.exec(select(Project).where(Project.year == year).order_by(col(Project.id)))
    ).all()
    return Table(
        _(texts.PROJECTS_SHEET),
        headers(texts.PROJECT_COLUMNS),
        [
            [
                p.id,
                p.name,
                category_name(p.category),
                p.department,
                streets.get(p.street_id, ""),
                Decimal(wan(p.budget)),
                Decimal(wan(p.spent)),
                f"{share(p.spent, p.budget)}%" if p.budget else "",
                f"{p.percent}%",
                _(STATUS_LABELS[p.status]) if p.status in STATUS_LABELS else p.status,
            ]
            for p in projects
        ],
    )


async def _evaluation(session: AsyncSession, year: int) -> list[Table]:
    projects = Table(_(texts.EVALUATION_SHEET), headers(texts.EVALUATION_COLUMNS), [])
    departments = Table(_(texts.DEPARTMENTS_SHEET), headers(texts.DEPARTMENT_COLUMNS), [])
    rounds = (
        await session.exec(
            select(EvaluationRound).where(EvaluationRound.year == year).order_by(col(EvaluationRound.id))
        )
    ).all()
    for round_ in rounds:
        result = EvaluationService.result_of(round_)
        if result is None:
            continue
        for item in result.projects:
            projects.rows.append(
                [
                    item.id,
                    item.name,
                    item.department,
                    category_name(item.category),
                    yes_no(item.complete),
                    item.ratings,
                    *astuple(item.counts),  # satisfied, basically satisfied, dissatisfied
                    percent(item.satisfaction),
                    percent(item.satisfied_share),
                    percent(item.tier) if item.tier is not None else "",
                    yes_no(item.penalty),
                ]
            )
        for department in result.departments:
            departments.rows.append(
                [
                    department.department,
                    _(LIST_SEPARATOR).join(f"#{pid}" for pid in department.projects),
                    yes_no(department.complete),
                    percent(department.satisfaction),
                    department.points,
                    _("；").join(_(m) for m in PENALTY_MEASURES) if department.penalties else "",
                ]
            )
    return [projects, departments]

"""What an evaluation means for the lead departments (DESIGN.md "Evaluation round").

Per department: completion 100% (every project complete) earns the completion bonus; each
project's bonus tier earns that tier's points; a project at or below the penalty line brings the
three penalty measures. Points per consequence are configurable; these are the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from core.results import (
    CategoryResult,
    DepartmentResult,
    EvaluationResult,
    ProjectResult,
    RatingCounts,
)
from core.scoring import DepartmentScore, Scores, Thresholds, by_category
from core.text import N_

# The three measures of 60%以下, in the order the office lists them.
PENALTY_MEASURES = (
    N_("绩效考核等次降低"),
    N_("主要负责人本年度不得评为优秀"),
    N_("主要负责人在常委会会议上说明情况并接受询问"),
)
DEFAULT_POINTS = {"complete": 2, "0.95": 3, "0.9": 2, "0.85": 1}


@dataclass(frozen=True)
class Consequences:
    department: str
    points: int
    complete_bonus: bool
    tiers: tuple[tuple[str, Fraction], ...]  # (project id, tier reached)
    penalised: tuple[str, ...]  # project ids at or below the penalty line

    @property
    def measures(self) -> tuple[str, ...]:
        return PENALTY_MEASURES if self.penalised else ()


def tier_key(tier: Fraction) -> str:
    """0.95 → "0.95", 9/10 → "0.9": the key of a tier in the points table."""
    return f"{float(tier):g}"


def consequences(department: DepartmentScore, points: dict[str, int] | None = None) -> Consequences:
    table = {**DEFAULT_POINTS, **(points or {})}
    tiers = tuple((item.project.id, item.tier) for item in department.projects if item.tier is not None)
    total = sum(table.get(tier_key(tier), 0) for _id, tier in tiers)  # type: ignore[arg-type]
    if department.complete:
        total += table.get("complete", 0)
    return Consequences(department.department, total, department.complete, tiers, tuple(department.penalties))  # type: ignore[arg-type]


def participation(voters: int, electorate: int) -> Fraction | None:
    """Deputies who submitted / deputies who could; None when nobody could."""
    return Fraction(voters, electorate) if electorate > 0 else None


def points_table(raw: dict[str, int] | None, thresholds: Thresholds) -> dict[str, int]:
    """Checks a configured table: "complete" and the configured tiers only, no negative points."""
    allowed = {"complete"} | {tier_key(tier) for tier in thresholds.bonus_tiers}
    table = dict(raw or {})
    unknown = set(table) - allowed
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)} (use {sorted(allowed)})")
    if any(value < 0 for value in table.values()):
        raise ValueError("points cannot be negative")
    return table


def evaluation_result(
    scores: Scores,
    names: Mapping[str, str],
    voters: int,
    electorate: int,
    points: dict[str, int] | None = None,
) -> EvaluationResult:
    """The result an evaluation round stores and publishes (DESIGN.md "Evaluation round 效果票评":
    results per project, per department, per category): `scores` as core.scoring counted them,
    each department's consequences under the `points` table (DEFAULT_POINTS where it is silent),
    and participation = `voters` who submitted / `electorate` who could (None when nobody could).

    `names`: project id -> the project's name, for every scored project (KeyError otherwise).
    Projects, departments and categories keep the order `scores` gives them."""
    return EvaluationResult(
        voters=voters,
        electorate=electorate,
        participation=participation(voters, electorate),
        projects=tuple(
            ProjectResult(
                id=item.project.id,
                name=names[item.project.id],
                department=item.project.department,
                category=item.project.category,
                complete=item.project.complete,
                ratings=item.tally.total,
                counts=RatingCounts(
                    item.tally.satisfied, item.tally.basically_satisfied, item.tally.dissatisfied
                ),
                satisfaction=item.satisfaction,
                satisfied_share=item.satisfied_share,
                tier=item.tier,
                penalty=item.penalty,
            )
            for item in scores.projects
        ),
        categories=tuple(CategoryResult(category, rate) for category, rate in by_category(scores).items()),
        departments=tuple(_department_result(department, points) for department in scores.departments),
    )


def _department_result(department: DepartmentScore, points: dict[str, int] | None) -> DepartmentResult:
    outcome = consequences(department, points)
    return DepartmentResult(
        department=department.department,
        projects=tuple(item.project.id for item in department.projects),
        complete=department.complete,
        satisfaction=department.satisfaction,
        points=outcome.points,
        tiers=outcome.tiers,
        penalties=outcome.penalised,
    )

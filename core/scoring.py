"""Evaluation rounds (效果票评): satisfaction, bonus tiers, penalties, department totals.

Rates are exact fractions; thresholds are read as the decimals they are written as, so 85% is
85%, never 84.99999%. 以上 / 以下 include the number: ≥ 85% earns the 85% tier, ≤ 60% is penalised.
A project nobody rated is "not rated" (None), never 0% or 100%.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")


@dataclass(frozen=True)
class Thresholds:
    bonus_tiers: tuple[Fraction, ...] = (Fraction("0.95"), Fraction("0.90"), Fraction("0.85"))
    penalty_at_or_below: Fraction = Fraction("0.60")

    @classmethod
    def parse(cls, raw: dict | None) -> Thresholds:
        """From a file's numbers; raises ValueError with a clear message."""
        if raw is None:
            return cls()
        tiers = raw.get("bonus_tiers", [0.95, 0.90, 0.85])
        penalty = raw.get("penalty_at_or_below", 0.60)
        if not isinstance(tiers, list) or not all(_is_number(t) for t in tiers) or not _is_number(penalty):
            raise ValueError(
                "thresholds need a list of numbers 'bonus_tiers' and a number 'penalty_at_or_below'"
            )
        fractions = tuple(sorted((Fraction(str(t)) for t in tiers), reverse=True))
        if any(not 0 < t <= 1 for t in fractions) or not 0 <= Fraction(str(penalty)) < 1:
            raise ValueError("thresholds must be rates between 0 and 1")
        if len(set(fractions)) != len(fractions):
            raise ValueError("bonus_tiers must be different from each other")
        return cls(fractions, Fraction(str(penalty)))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Project:
    id: str
    department: str
    category: str
    complete: bool


@dataclass
class Tally:
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    def add(self, rating: str) -> None:
        setattr(self, rating, getattr(self, rating) + 1)

    def satisfaction(self) -> Fraction | None:
        """(满意 + 基本满意) / ratings given."""
        return Fraction(self.satisfied + self.basically_satisfied, self.total) if self.total else None

    def satisfied_share(self) -> Fraction | None:
        return Fraction(self.satisfied, self.total) if self.total else None


def tier(rate: Fraction | None, thresholds: Thresholds) -> Fraction | None:
    """The highest bonus threshold reached, or None."""
    if rate is None:
        return None
    return next((threshold for threshold in thresholds.bonus_tiers if rate >= threshold), None)


def penalised(rate: Fraction | None, thresholds: Thresholds) -> bool:
    return rate is not None and rate <= thresholds.penalty_at_or_below


@dataclass(frozen=True)
class ProjectScore:
    project: Project
    tally: Tally
    satisfaction: Fraction | None
    satisfied_share: Fraction | None
    tier: Fraction | None
    penalty: bool


@dataclass(frozen=True)
class DepartmentScore:
    department: str
    projects: tuple[ProjectScore, ...]
    satisfaction: Fraction | None  # over all the department's ratings
    complete: bool  # every project complete

    @property
    def penalties(self) -> list[str]:
        return [score.project.id for score in self.projects if score.penalty]


@dataclass(frozen=True)
class Scores:
    projects: tuple[ProjectScore, ...]
    departments: tuple[DepartmentScore, ...] = field(default_factory=tuple)


class UnknownProject(ValueError):
    pass


def score(
    projects: Sequence[Project], ratings: Sequence[tuple[str, str]], thresholds: Thresholds | None = None
) -> Scores:
    """ratings: (project id, satisfied | basically_satisfied | dissatisfied)."""
    thresholds = thresholds or Thresholds()
    tallies = {project.id: Tally() for project in projects}
    for project_id, rating in ratings:
        if project_id not in tallies:
            raise UnknownProject(f"a rating names unknown project {project_id!r}")
        if rating not in RATINGS:
            raise ValueError(f"unknown rating {rating!r} (use {', '.join(RATINGS)})")
        tallies[project_id].add(rating)
    project_scores = tuple(_project_score(project, tallies[project.id], thresholds) for project in projects)
    departments: dict[str, list[ProjectScore]] = {}
    for item in project_scores:
        departments.setdefault(item.project.department, []).append(item)
    department_scores = []
    for name, items in departments.items():
        overall = Tally()
        for item in items:
            overall.satisfied += item.tally.satisfied
            overall.basically_satisfied += item.tally.basically_satisfied
            overall.dissatisfied += item.tally.dissatisfied
        department_scores.append(
            DepartmentScore(
                name, tuple(items), overall.satisfaction(), all(item.project.complete for item in items)
            )
        )
    return Scores(project_scores, tuple(department_scores))


def by_category(scores: Scores) -> dict[str, Fraction | None]:
    """Satisfaction per category over all its projects' ratings (None: none of them rated)."""
    pooled: dict[str, Tally] = {}
    for item in scores.projects:
        tally = pooled.setdefault(item.project.category, Tally())
        tally.satisfied += item.tally.satisfied
        tally.basically_satisfied += item.tally.basically_satisfied
        tally.dissatisfied += item.tally.dissatisfied
    return {category: tally.satisfaction() for category, tally in pooled.items()}


def _project_score(project: Project, counted: Tally, thresholds: Thresholds) -> ProjectScore:
    rate = counted.satisfaction()
    return ProjectScore(
        project, counted, rate, counted.satisfied_share(), tier(rate, thresholds), penalised(rate, thresholds)
    )


def percent(rate: Fraction | None) -> str:
    """For people: one decimal, rounded half up; "not rated" stays visible as a dash."""
    if rate is None:
        return "—"
    tenths = (rate * 1000 + Fraction(1, 2)).__floor__()
    return f"{tenths // 10}.{tenths % 10}%"

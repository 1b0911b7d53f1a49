"""The results of the two kinds of round as values, and their one stored form (JSON). Pure.

- `RoundResult`: a selection round's count (DESIGN.md "Selection round 项目票决"), built by
  `core.tally.tally`.
- `EvaluationResult`: an evaluation round's scores and what they mean for the departments
  (DESIGN.md "Evaluation round 效果票评"), built by `core.consequences.evaluation_result`.

A closed round keeps its result in its `result` column as the JSON object `to_json` writes; this
module is the only place that writes or reads it. The keys, their order and the numbers' forms
are those the rounds have stored since they were first written (rates as exact "n/d" strings,
`ensure_ascii=False`), so rows already in a database load, and a result read and written again
is the same text. `from_json` raises ValueError for a text that is not such a result.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

T = TypeVar("T")


def rate_text(rate: Fraction | None) -> str | None:
    """A rate as stored: exactly, "n/d" (2/3 → "2/3", 1 → "1/1", 0 → "0/1"); None stays None."""
    return None if rate is None else f"{rate.numerator}/{rate.denominator}"


def rate_of(stored: str | None) -> Fraction | None:
    """The rate `rate_text` stored; ValueError for a text that is no fraction."""
    return None if stored is None else Fraction(stored)


def _load(text: str, build: Callable[[dict[str, Any]], T], what: str) -> T:
    """`build` applied to the JSON object in `text`; any missing key or wrong shape is a ValueError."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        return build(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"not a stored {what}: {error!r}") from error


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


# -- selection rounds ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Marks:
    """One candidate's marks: ballots counting it as 赞成 / 反对 / 弃权 (approval rounds: yes only)."""

    yes: int = 0
    no: int = 0
    abstain: int = 0


@dataclass(frozen=True)
class RoundResult:
    """A selection round's count. Codes are the candidates' codes ("c1"...); counts are ballots.

    When the configuration is broken (`config_errors`, in English) or the quorum is not met,
    nobody is elected and every seat is left. A tie across the last seat is not broken:
    `tied` names the candidates competing for the `seats_left` seats (DESIGN.md: a runoff)."""

    config_errors: tuple[str, ...]
    turnout: int  # ballots cast, valid or not
    quorum_met: bool  # 三分之二以上 of the electorate cast a ballot
    invalid_ballots: int  # counted for turnout only
    counts: Mapping[str, Marks]  # code -> marks of the valid ballots, in the candidates' order
    ranking: tuple[str, ...]  # by approvals, most first; equal counts keep the candidates' order
    elected: tuple[str, ...]  # the surely elected
    tied: tuple[str, ...]  # competing for the seats a tie left open
    seats_left: int  # quota − len(elected): by a tie, or by too few eligible candidates

    def yes(self, code: str) -> int:
        """Approvals (赞成) of candidate `code`; KeyError for a code not in the round."""
        return self.counts[code].yes

    def as_dict(self) -> dict[str, Any]:
        """The stored form as a JSON-ready dict (also what the tally CLI prints)."""
        return {
            "config_errors": list(self.config_errors),
            "turnout": self.turnout,
            "quorum_met": self.quorum_met,
            "invalid_ballots": self.invalid_ballots,
            "counts": {
                code: {"yes": marks.yes, "no": marks.no, "abstain": marks.abstain}
                for code, marks in self.counts.items()
            },
            "ranking": list(self.ranking),
            "elected": list(self.elected),
            "tied": list(self.tied),
            "seats_left": self.seats_left,
        }

    def to_json(self) -> str:
        return _dumps(self.as_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoundResult:
        return cls(
            config_errors=tuple(str(error) for error in data["config_errors"]),
            turnout=int(data["turnout"]),
            quorum_met=bool(data["quorum_met"]),
            invalid_ballots=int(data["invalid_ballots"]),
            counts={
                str(code): Marks(int(marks["yes"]), int(marks["no"]), int(marks["abstain"]))
                for code, marks in data["counts"].items()
            },
            ranking=tuple(data["ranking"]),
            elected=tuple(data["elected"]),
            tied=tuple(data["tied"]),
            seats_left=int(data["seats_left"]),
        )

    @classmethod
    def from_json(cls, text: str) -> RoundResult:
        """The result `to_json` (or any version of the bot) stored; ValueError if it is none."""
        return _load(text, cls.from_dict, "round result")


# -- evaluation rounds ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RatingCounts:
    """Ratings a project received: 满意 / 基本满意 / 不满意."""

    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0


@dataclass(frozen=True)
class ProjectResult:
    """One rated project. Rates are exact fractions of its ratings; None: nobody rated it."""

    id: str  # the project's row id, as text
    name: str
    department: str  # the lead department
    category: str  # category code
    complete: bool  # 100% and marked done
    ratings: int  # ratings given
    counts: RatingCounts
    satisfaction: Fraction | None  # (满意 + 基本满意) / ratings
    satisfied_share: Fraction | None  # 满意 / ratings
    tier: Fraction | None  # the highest bonus threshold reached (以上: the threshold included)
    penalty: bool  # at or below the penalty line (60%以下, the line included)


@dataclass(frozen=True)
class CategoryResult:
    """Satisfaction over all the ratings of a category's projects; None: none of them rated."""

    category: str
    satisfaction: Fraction | None


@dataclass(frozen=True)
class DepartmentResult:
    """A lead department's score and consequences (core.consequences)."""

    department: str
    projects: tuple[str, ...]  # its projects' ids
    complete: bool  # every project complete: the completion bonus
    satisfaction: Fraction | None  # over all its projects' ratings
    points: int  # bonus points: completion and each project's tier
    tiers: tuple[tuple[str, Fraction], ...]  # (project id, tier reached), projects with a tier only
    penalties: tuple[str, ...]  # project ids at or below the penalty line: the three measures apply


@dataclass(frozen=True)
class EvaluationResult:
    """An evaluation round's result: participation, then per project, category and department."""

    voters: int  # deputies who submitted
    electorate: int  # deputies who could (frozen at opening)
    participation: Fraction | None  # voters / electorate; None when nobody could rate
    projects: tuple[ProjectResult, ...]
    categories: tuple[CategoryResult, ...]
    departments: tuple[DepartmentResult, ...]

    def as_dict(self) -> dict[str, Any]:
        """The stored form as a JSON-ready dict (also the board's /api/evaluations entries)."""
        return {
            "voters": self.voters,
            "electorate": self.electorate,
            "participation": rate_text(self.participation),
            "projects": [
                {
                    "id": item.id,
                    "name": item.name,
                    "department": item.department,
                    "category": item.category,
                    "complete": item.complete,
                    "ratings": item.ratings,
                    "counts": {
                        "satisfied": item.counts.satisfied,
                        "basically_satisfied": item.counts.basically_satisfied,
                        "dissatisfied": item.counts.dissatisfied,
                    },
                    "satisfaction": rate_text(item.satisfaction),
                    "satisfied_share": rate_text(item.satisfied_share),
                    "tier": rate_text(item.tier),
                    "penalty": item.penalty,
                }
                for item in self.projects
            ],
            "categories": [
                {"category": item.category, "satisfaction": rate_text(item.satisfaction)}
                for item in self.categories
            ],
            "departments": [
                {
                    "department": item.department,
                    "projects": list(item.projects),
                    "complete": item.complete,
                    "satisfaction": rate_text(item.satisfaction),
                    "points": item.points,
                    "tiers": {pid: rate_text(tier) for pid, tier in item.tiers},
                    "penalties": list(item.penalties),
                }
                for item in self.departments
            ],
        }

    def to_json(self) -> str:
        return _dumps(self.as_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvaluationResult:
        """Rows stored before results per category (the first evaluation rounds) have none."""
        return cls(
            voters=int(data["voters"]),
            electorate=int(data["electorate"]),
            participation=rate_of(data["participation"]),
            projects=tuple(
                ProjectResult(
                    id=str(item["id"]),
                    name=item["name"],
                    department=item["department"],
                    category=item["category"],
                    complete=bool(item["complete"]),
                    ratings=int(item["ratings"]),
                    counts=RatingCounts(
                        int(item["counts"]["satisfied"]),
                        int(item["counts"]["basically_satisfied"]),
                        int(item["counts"]["dissatisfied"]),
                    ),
                    satisfaction=rate_of(item["satisfaction"]),
                    satisfied_share=rate_of(item["satisfied_share"]),
                    tier=rate_of(item["tier"]),
                    penalty=bool(item["penalty"]),
                )
                for item in data["projects"]
            ),
            categories=tuple(
                CategoryResult(item["category"], rate_of(item["satisfaction"]))
                for item in data.get("categories", ())
            ),
            departments=tuple(
                DepartmentResult(
                    department=item["department"],
                    projects=tuple(str(pid) for pid in item["projects"]),
                    complete=bool(item["complete"]),
                    satisfaction=rate_of(item["satisfaction"]),
                    points=int(item["points"]),
                    tiers=tuple((str(pid), Fraction(tier)) for pid, tier in item["tiers"].items()),
                    penalties=tuple(str(pid) for pid in item["penalties"]),
                )
                for item in data["departments"]
            ),
        )

    @classmethod
    def from_json(cls, text: str) -> EvaluationResult:
        """The result `to_json` (or any version of the bot) stored; ValueError if it is none."""
        return _load(text, cls.from_dict, "evaluation result")

"""Evaluation rounds: hand-worked examples at the thresholds, properties, and the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.scoring import RATINGS, Project, Tally, Thresholds, by_category, penalised, percent, score, tier


def ratings(project: str, satisfied: int, basically: int, dissatisfied: int) -> list[tuple[str, str]]:
    return (
        [(project, "satisfied")] * satisfied
        + [(project, "basically_satisfied")] * basically
        + [(project, "dissatisfied")] * dissatisfied
    )


def test_hand_worked_department_scores() -> None:
    projects = [
        Project("p1", "区教育局", "education", True),  # 17/20 = 85%: the 85% tier, included
        Project("p2", "区教育局", "education", False),  # 12/20 = 60%: penalised, included
        Project("p3", "区卫健局", "health", True),  # nobody rated it
        Project("p4", "区卫健局", "health", True),  # 19/20 = 95%: the top tier
    ]
    result = score(projects, ratings("p1", 10, 7, 3) + ratings("p2", 2, 10, 8) + ratings("p4", 19, 0, 1))
    p1, p2, p3, p4 = result.projects
    assert p1.satisfaction == Fraction(17, 20) and p1.tier == Fraction("0.85") and not p1.penalty
    assert p1.satisfied_share == Fraction(1, 2)
    assert p2.satisfaction == Fraction(3, 5) and p2.tier is None and p2.penalty
    assert p3.satisfaction is None and p3.tier is None and not p3.penalty and p3.tally.total == 0
    assert p4.tier == Fraction("0.95")
    education, health = result.departments
    assert education.department == "区教育局" and not education.complete
    assert education.satisfaction == Fraction(29, 40) and education.penalties == ["p2"]
    assert health.complete and health.satisfaction == Fraction(19, 20)  # p3's missing ratings do not count


def test_just_below_the_thresholds() -> None:
    assert tier(Fraction(84, 100), Thresholds()) is None
    assert tier(Fraction(899, 1000), Thresholds()) == Fraction("0.85")
    assert tier(Fraction(9, 10), Thresholds()) == Fraction("0.90")
    assert not penalised(Fraction(601, 1000), Thresholds())
    assert penalised(Fraction(0), Thresholds())


def test_configured_thresholds() -> None:
    thresholds = Thresholds.parse({"bonus_tiers": [0.8, 0.9], "penalty_at_or_below": 0.5})
    assert thresholds.bonus_tiers == (Fraction("0.9"), Fraction("0.8"))
    assert tier(Fraction(8, 10), thresholds) == Fraction("0.8")
    # 100% is a tier one may configure (以上 includes the number: only a unanimous project earns it).
    top = Thresholds.parse({"bonus_tiers": [1, 0.9], "penalty_at_or_below": 0})
    assert top.bonus_tiers == (Fraction(1), Fraction("0.9")) and top.penalty_at_or_below == 0
    assert tier(Fraction(1), top) == Fraction(1) and tier(Fraction(99, 100), top) == Fraction("0.9")
    assert not penalised(Fraction(1, 100), top) and penalised(Fraction(0), top)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"bonus_tiers": "high"}, "a list of numbers 'bonus_tiers'"),
        ({"bonus_tiers": [True]}, "a list of numbers 'bonus_tiers'"),  # a boolean is not a rate
        ({"bonus_tiers": [0.9, False]}, "a list of numbers 'bonus_tiers'"),
        ({"penalty_at_or_below": True}, "a number 'penalty_at_or_below'"),
        ({"penalty_at_or_below": "0.6"}, "a number 'penalty_at_or_below'"),
        ({"bonus_tiers": [1.5]}, "rates between 0 and 1"),
        ({"bonus_tiers": [1.0000001]}, "rates between 0 and 1"),
        ({"bonus_tiers": [0]}, "rates between 0 and 1"),
        ({"bonus_tiers": [0.9, -0.1]}, "rates between 0 and 1"),
        ({"penalty_at_or_below": 1.5}, "rates between 0 and 1"),
        ({"penalty_at_or_below": 1}, "rates between 0 and 1"),  # everyone penalised is no threshold
        ({"penalty_at_or_below": -0.1}, "rates between 0 and 1"),
        ({"bonus_tiers": [0.9, 0.9]}, "different from each other"),
    ],
)
def test_bad_thresholds_are_refused_with_their_reason(bad: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Thresholds.parse(bad)


def test_percent_shows_one_decimal() -> None:
    assert percent(Fraction(17, 20)) == "85.0%"
    assert percent(Fraction(2, 3)) == "66.7%"
    assert percent(Fraction(1, 8)) == "12.5%"
    # Halves round up, never to the even neighbour (banker's rounding would give 6.2%, 31.2%).
    assert percent(Fraction(1, 16)) == "6.3%"  # 6.25%
    assert percent(Fraction(5, 16)) == "31.3%"  # 31.25%
    assert percent(Fraction(17, 80)) == "21.3%"  # 21.25%
    assert percent(Fraction(3, 16)) == "18.8%"  # 18.75%
    assert percent(Fraction(1, 2000)) == "0.1%"  # 0.05%
    assert percent(Fraction(1, 3000)) == "0.0%"
    assert percent(Fraction(1)) == "100.0%" and percent(Fraction(0)) == "0.0%"
    assert percent(None) == "—"


def test_unknown_projects_and_ratings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown project 'p9'"):
        score([Project("p1", "d", "c", True)], [("p9", "satisfied")])
    with pytest.raises(ValueError, match="unknown rating 'great'"):
        score([Project("p1", "d", "c", True)], [("p1", "great")])


counts = st.integers(min_value=0, max_value=200)


@given(counts, counts, counts)
def test_adding_a_satisfied_rating_never_lowers_the_rate(
    satisfied: int, basically: int, dissatisfied: int
) -> None:
    before = Tally(satisfied, basically, dissatisfied)
    after = Tally(satisfied + 1, basically, dissatisfied)
    assert after.satisfaction() is not None
    if before.satisfaction() is not None:
        assert after.satisfaction() >= before.satisfaction()  # type: ignore[operator]
        assert after.satisfied_share() >= before.satisfied_share()  # type: ignore[operator]
    rank = [None, Fraction("0.85"), Fraction("0.90"), Fraction("0.95")]
    assert rank.index(tier(after.satisfaction(), Thresholds())) >= rank.index(
        tier(before.satisfaction(), Thresholds())
    )


@given(counts, counts, counts)
def test_rates_are_bounded_and_not_rated_is_none(satisfied: int, basically: int, dissatisfied: int) -> None:
    rate = Tally(satisfied, basically, dissatisfied).satisfaction()
    if satisfied + basically + dissatisfied == 0:
        assert rate is None
    else:
        assert 0 <= rate <= 1  # type: ignore[operator]
        assert not (tier(rate, Thresholds()) and penalised(rate, Thresholds()))


@given(st.lists(st.tuples(st.sampled_from(["p1", "p2", "p3"]), st.sampled_from(RATINGS)), max_size=60))
def test_department_satisfaction_weighs_every_rating(given_ratings: list[tuple[str, str]]) -> None:
    projects = [
        Project("p1", "d1", "c", True),
        Project("p2", "d1", "c", True),
        Project("p3", "d2", "c", False),
    ]
    result = score(projects, given_ratings)
    d1 = result.departments[0]
    in_d1 = [r for p, r in given_ratings if p in ("p1", "p2")]
    if in_d1:
        assert d1.satisfaction == Fraction(sum(r != "dissatisfied" for r in in_d1), len(in_d1))
    else:
        assert d1.satisfaction is None


def run_cli(tmp_path: Path, content: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "ratings.json"
    path.write_text(content, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", "score", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_cli_scores_projects_and_departments(tmp_path: Path) -> None:
    data = {
        "projects": [
            {"id": "p1", "department": "区教育局", "category": "education", "complete": True},
            {"id": "p2", "department": "区教育局", "category": "education", "complete": True},
            {"id": "p3", "department": "区民政局", "category": "eldercare", "complete": False},
        ],
        "ratings": (
            [{"project": "p1", "rating": "satisfied"}] * 17
            + [{"project": "p1", "rating": "dissatisfied"}] * 3
            + [{"project": "p2", "rating": "basically_satisfied"}] * 3
            + [{"project": "p2", "rating": "dissatisfied"}] * 2
        ),
    }
    result = run_cli(tmp_path, json.dumps(data))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    p1, p2, p3 = out["projects"]
    assert p1 == {
        "id": "p1",
        "ratings": 20,
        "counts": {"satisfied": 17, "basically_satisfied": 0, "dissatisfied": 3},
        "satisfaction": 0.85,
        "satisfied_share": 0.85,
        "tier": 0.85,
        "penalty": False,
        "complete": True,
    }
    assert p2["satisfaction"] == 0.6 and p2["penalty"] is True and p2["tier"] is None
    assert p3["satisfaction"] is None and p3["ratings"] == 0 and p3["penalty"] is False
    education, civil = out["departments"]
    assert education == {
        "department": "区教育局",
        "projects": ["p1", "p2"],
        "complete": True,
        "satisfaction": 0.8,
        "tiers": {"p1": 0.85, "p2": None},
        "penalties": ["p2"],
    }
    assert civil["satisfaction"] is None and civil["complete"] is False


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "is not JSON"),
        ('{"projects": {}, "ratings": []}', "must be lists"),
        ('{"projects": [{"id": "p1"}], "ratings": []}', "project 1 needs"),
        (
            '{"projects": [{"id": "p1", "department": "d"}], "ratings": [{"project": "p2", "rating": "satisfied"}]}',
            "unknown project 'p2'",
        ),
        ('{"projects": [], "ratings": [], "thresholds": {"bonus_tiers": [2]}}', "between 0 and 1"),
    ],
)
def test_cli_refuses_bad_files(tmp_path: Path, content: str, message: str) -> None:
    result = run_cli(tmp_path, content)
    assert (
        result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    )


def test_satisfaction_by_category_pools_the_ratings() -> None:
    projects = [
        Project("p1", "区民政局", "eldercare", True),
        Project("p2", "区卫健局", "eldercare", True),
        Project("p3", "区教育局", "education", True),
    ]
    ratings = [("p1", "satisfied")] * 3 + [("p2", "dissatisfied")] + [("p2", "basically_satisfied")]
    assert by_category(score(projects, ratings)) == {"eldercare": Fraction(4, 5), "education": None}

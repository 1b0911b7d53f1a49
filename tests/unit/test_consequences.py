"""core.consequences: department points and measures, participation; core.deadlines.parse_window."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.consequences import PENALTY_MEASURES, consequences, participation, points_table
from core.deadlines import parse_window
from core.scoring import Project, Thresholds, score


def department(ratings: list[tuple[str, str]], complete: bool = True):  # type: ignore[no-untyped-def]
    projects = [
        Project("p1", "区民政局", "eldercare", complete),
        Project("p2", "区民政局", "health", complete),
    ]
    [scored] = score(projects, ratings).departments
    return scored


def test_a_complete_department_with_tiers_earns_both() -> None:
    # p1: 19 of 20 satisfied = 95%; p2: 17 of 20 = exactly 85% (以上 includes it).
    ratings = [("p1", "satisfied")] * 19 + [("p1", "dissatisfied")]
    ratings += [("p2", "basically_satisfied")] * 17 + [("p2", "dissatisfied")] * 3
    outcome = consequences(department(ratings))
    assert outcome.complete_bonus and outcome.points == 2 + 3 + 1
    assert dict(outcome.tiers) == {"p1": Fraction("0.95"), "p2": Fraction("0.85")}
    assert outcome.measures == ()


def test_exactly_sixty_percent_brings_the_three_measures() -> None:
    ratings = [("p1", "satisfied")] * 3 + [("p1", "dissatisfied")] * 2  # 60% (以下 includes it)
    outcome = consequences(department(ratings, complete=False))
    assert outcome.penalised == ("p1",) and outcome.measures == PENALTY_MEASURES
    assert outcome.points == 0 and not outcome.complete_bonus


def test_points_are_configurable_and_checked() -> None:
    ratings = [("p1", "satisfied")] * 10
    assert consequences(department(ratings), {"complete": 10, "0.95": 7}).points == 17
    with pytest.raises(ValueError, match="unknown keys"):
        points_table({"0.8": 1}, Thresholds())
    with pytest.raises(ValueError, match="negative"):
        points_table({"complete": -1}, Thresholds())


@given(st.integers(0, 500), st.integers(0, 500))
def test_participation_is_a_share_or_none(voters: int, electorate: int) -> None:
    share = participation(min(voters, electorate), electorate)
    assert share is None if electorate == 0 else 0 <= share <= 1  # type: ignore[operator]


def test_unrated_projects_earn_nothing_and_are_not_penalised() -> None:
    outcome = consequences(department([], complete=False))
    assert outcome.points == 0 and outcome.tiers == () and outcome.penalised == ()


def test_parse_window() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    assert parse_window("2027-12-20 09:00 至 2027-12-27 17:00", tz) == (
        datetime(2027, 12, 20, 9, tzinfo=tz),
        datetime(2027, 12, 27, 17, tzinfo=tz),
    )
    assert parse_window("2027-13-40 09:00 2027-12-27 17:00", tz) is None
    assert parse_window("next monday", tz) is None

"""core.money and core.progress: amounts as budgets write them, and progress bars."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.money import parse_yuan, share, wan
from core.progress import bar, status_for


def test_amounts_as_people_write_them() -> None:
    assert parse_yuan("300万元") == 3_000_000
    assert parse_yuan("12.5万") == 125_000
    assert parse_yuan("８００，０００元") == 800_000  # full-width digits and comma
    assert parse_yuan("320") == 3_200_000  # a bare number is in 万元
    assert parse_yuan(" 0 ") == 0
    for bad in ("", "三百万", "-5", "1e9", "300万美元", "9" * 20):
        assert parse_yuan(bad) is None, bad


@given(st.integers(min_value=0, max_value=10**12))
def test_wan_reads_back_to_the_amount_rounded_to_100_yuan(yuan: int) -> None:
    shown = wan(yuan)
    assert abs(parse_yuan(shown) - yuan) <= 50  # type: ignore[operator]
    assert not shown.endswith(".") and not (("." in shown) and shown.endswith("0"))


def test_share_of_budget() -> None:
    assert share(1_200_000, 3_000_000) == 40
    assert share(1, 3) == 33
    assert share(5, 0) is None


@given(st.integers(min_value=-50, max_value=150))
def test_bar_has_ten_blocks_filled_in_proportion(percent: int) -> None:
    drawn = bar(percent)
    assert len(drawn) == 10
    clamped = max(0, min(100, percent))
    assert drawn.count("▓") == round(clamped / 10)


def test_status_follows_the_plan_and_the_percent() -> None:
    assert status_for(0, False) == "planning"
    assert status_for(40, True) == "in_progress"
    assert status_for(100, True) == "completed"

"""core.deadlines: quiet hours, digest slots, report deadlines, deadline notices."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from core.deadlines import digest_slot, due_notices, next_report_due, quiet_until

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


def test_quiet_hours_across_midnight() -> None:
    start, end = time(22), time(8)
    assert quiet_until(at(26, 21, 59), start, end, SH) is None
    assert quiet_until(at(26, 22), start, end, SH) == at(27, 8)
    assert quiet_until(at(27, 3), start, end, SH) == at(27, 8)
    assert quiet_until(at(27, 8), start, end, SH) is None


def test_quiet_hours_within_a_day_and_switched_off() -> None:
    assert quiet_until(at(26, 13), time(12), time(14), SH) == at(26, 14)
    assert quiet_until(at(26, 13), time(0), time(0), SH) is None


def test_quiet_hours_use_local_time_whatever_the_zone_of_now() -> None:
    utc_evening = datetime(2026, 11, 26, 15, 0, tzinfo=ZoneInfo("UTC"))  # 23:00 in Shanghai
    assert quiet_until(utc_evening, time(22), time(8), SH) == at(27, 8)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)), st.integers(1, 7))
def test_the_digest_slot_is_the_latest_such_moment_not_after_now(naive: datetime, weekday: int) -> None:
    now = naive.replace(tzinfo=SH)
    slot = digest_slot(now, weekday, time(9), SH)
    assert slot <= now < slot + timedelta(days=7)
    assert slot.isoweekday() == weekday and slot.time() == time(9)


@given(
    st.integers(0, 400),  # days after the first deadline that the report came
    st.integers(1, 60),  # the period in days
)
def test_the_next_report_is_due_after_the_report_and_keeps_the_rhythm(days: int, period: int) -> None:
    due = at(1, 17)
    reported = due + timedelta(days=days, hours=3)
    every = timedelta(days=period)
    following = next_report_due(due, reported, every)
    assert following > reported and following - every <= reported
    assert (following - due) % every == timedelta(0)


def test_deadline_notices_plan_first_then_reports_until_completed() -> None:
    plan_due, remind = at(20, 17), timedelta(days=3)
    assert due_notices(at(16, 9), plan_due, False, None, False, remind) == []
    assert due_notices(at(18, 9), plan_due, False, None, False, remind) == [("plan-reminder", plan_due)]
    assert due_notices(at(21, 9), plan_due, False, None, False, remind) == [
        ("plan-reminder", plan_due),
        ("plan-overdue", plan_due),
    ]
    report_due = at(30, 17)
    assert due_notices(at(28, 9), plan_due, True, report_due, False, remind) == [
        ("report-reminder", report_due)
    ]
    assert due_notices(at(30, 18), plan_due, True, report_due, True, remind) == []

"""When things fall due: quiet hours, weekly digest slots, report deadlines. Pure datetime rules."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo


def quiet_until(now: datetime, start: time, end: time, tz: tzinfo) -> datetime | None:
    """The end of the quiet hours `now` falls in (local time in `tz`), or None outside them.

    Quiet hours may cross midnight (22:00–08:00); start == end means there are none.
    """
    if start == end:
        return None
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=tz)


def digest_slot(now: datetime, weekday: int, at: time, tz: tzinfo) -> datetime:
    """The latest weekly digest moment at or before `now` (ISO weekday, 1 = Monday)."""
    local = now.astimezone(tz)
    days_back = (local.isoweekday() - weekday) % 7
    slot = datetime.combine(local.date() - timedelta(days=days_back), at, tzinfo=tz)
    if slot > local:
        slot -= timedelta(days=7)
    return slot


def next_report_due(due: datetime, reported_at: datetime, every: timedelta) -> datetime:
    """After a report, the next deadline: the first one in the schedule that is after the report.

    Deadlines keep their rhythm (the 15th of each period, say) however early or late a report came.
    """
    if every <= timedelta(0):
        raise ValueError("the reporting period must be positive")
    following = due + every
    if following <= reported_at:
        periods = (reported_at - due) // every
        following = due + every * (periods + 1)
    return following


def due_notices(
    now: datetime,
    plan_due: datetime,
    plan_filed: bool,
    report_due: datetime | None,
    completed: bool,
    remind_before: timedelta,
) -> list[tuple[str, datetime]]:
    """The deadline notices a project has earned by `now`: (kind, deadline).

    Before the plan is filed: a reminder `remind_before` the deadline, then "overdue" after it;
    afterwards the same for the next progress report, until the project is completed. Each
    (kind, deadline) pair is meant to be sent once; callers key their notices by it.
    """
    if completed:
        return []
    if not plan_filed:
        deadline, prefix = plan_due, "plan"
    elif report_due is not None:
        deadline, prefix = report_due, "report"
    else:
        return []
    notices = []
    if now >= deadline - remind_before:
        notices.append((f"{prefix}-reminder", deadline))
    if now >= deadline:
        notices.append((f"{prefix}-overdue", deadline))
    return notices


_WINDOW = re.compile(r"(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2})\D+(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2})")


def parse_window(text: str, tz: tzinfo) -> tuple[datetime, datetime] | None:
    """ "2027-01-04 09:00 2027-01-04 17:00" (any separator between) → two local times, or None."""
    match = _WINDOW.search(text)
    if match is None:
        return None
    try:
        first, second = (datetime.fromisoformat(part.replace(" ", "T")) for part in match.groups())
    except ValueError:
        return None
    return first.replace(tzinfo=tz), second.replace(tzinfo=tz)

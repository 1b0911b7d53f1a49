"""Progress as a bar of ten blocks, the same in every language and font."""

from __future__ import annotations


def bar(percent: int, width: int = 10) -> str:
    percent = max(0, min(100, percent))
    filled = round(percent * width / 100)
    return "▓" * filled + "░" * (width - filled)


def status_for(percent: int, plan_filed: bool) -> str:
    """planning until the plan is filed, completed at 100%, in progress between."""
    if percent >= 100:
        return "completed"
    return "in_progress" if plan_filed else "planning"

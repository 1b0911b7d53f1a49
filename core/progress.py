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


def check_percent(value: object) -> int:
    """A completion percentage: an int from 0 to 100 (DESIGN.md: progress reports); ValueError
    otherwise, so a forged or mistyped 250% never reaches a project."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(f"a percentage is a whole number from 0 to 100, not {value!r}")
    return value


def parse_percent(text: str) -> int | None:
    """`"40"`, `" 40 % "` → 40; anything else (250, -5, ²⁵, ４０, 1e2, empty) → None."""
    stripped = text.strip().removesuffix("%").strip()
    if not (stripped.isascii() and stripped.isdigit()) or len(stripped) > 3:
        return None
    value = int(stripped)
    return value if value <= 100 else None

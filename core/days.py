"""Dates as Chinese offices write them: 2027-01-11, 2027/01/11, 2027.1.11, 2027年1月11日."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_DAY = re.compile(r"^\s*(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*$")


def parse_day(text: str) -> date | None:
    """The calendar day `text` names, or None (also for 2027-02-30). Full-width digits are read;
    a time after the day is not (a day is what an import file gives)."""
    match = _DAY.match(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_moment(text: str) -> date | datetime | None:
    """A day (any form parse_day reads) or an ISO date and time (2027-01-11T10:00, 2027-01-11 10:00,
    with or without an offset); None otherwise."""
    day = parse_day(text)
    if day is not None:
        return day
    try:
        return datetime.fromisoformat(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        return None

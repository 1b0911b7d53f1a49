"""Tracking numbers: MS-2026-000123, unique per year."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^MS-(\d{4})-(\d{6,})$")


def tracking_code(year: int, number: int) -> str:
    return f"MS-{year}-{number:06d}"


def parse_tracking_code(code: str) -> tuple[int, int] | None:
    match = _PATTERN.match(code.strip().upper())
    return (int(match.group(1)), int(match.group(2))) if match else None

"""履职积分: the points a deputy earns for each triage action, by a table an office configures."""

from __future__ import annotations

from collections.abc import Mapping

# Defaults; an office overrides any of them with POINTS_TABLE (JSON), e.g. {"to_district": 5}.
DEFAULT_POINTS: dict[str, int] = {
    "to_community": 2,
    "to_legislation": 2,
    "to_street": 2,
    "to_district": 3,
    "merge": 1,
    "decline": 1,
    "ask": 1,
    "on_behalf": 3,  # a suggestion collected at a liaison station (代表代征集)
    "reclassify": 0,
    "reassign": 0,
}


def points_table(overrides: Mapping[str, int] | None = None) -> dict[str, int]:
    table = dict(DEFAULT_POINTS)
    for action, points in (overrides or {}).items():
        if action not in table:
            raise ValueError(f"unknown action {action!r} in the points table")
        table[action] = int(points)
    return table


def ranking(totals: Mapping[int, int]) -> list[tuple[int, int, int]]:
    """(deputy, points, rank), best first; equal points share a rank (1, 2, 2, 4)."""
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    result: list[tuple[int, int, int]] = []
    for position, (deputy, points) in enumerate(ordered, start=1):
        rank = result[-1][2] if result and result[-1][1] == points else position
        result.append((deputy, points, rank))
    return result

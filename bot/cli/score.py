"""`python -m bot score FILE.json`: department scoring from an evaluation round's ratings."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from bot.cli.json_io import run_json_command
from core.scoring import Project, Scores, Thresholds, score


def _number(rate: Fraction | None) -> float | None:
    return None if rate is None else float(rate)


def as_json(scores: Scores) -> dict[str, Any]:
    return {
        "projects": [
            {
                "id": item.project.id,
                "ratings": item.tally.total,
                "counts": {
                    "satisfied": item.tally.satisfied,
                    "basically_satisfied": item.tally.basically_satisfied,
                    "dissatisfied": item.tally.dissatisfied,
                },
                "satisfaction": _number(item.satisfaction),
                "satisfied_share": _number(item.satisfied_share),
                "tier": _number(item.tier),
                "penalty": item.penalty,
                "complete": item.project.complete,
            }
            for item in scores.projects
        ],
        "departments": [
            {
                "department": department.department,
                "projects": [item.project.id for item in department.projects],
                "complete": department.complete,
                "satisfaction": _number(department.satisfaction),
                "tiers": {item.project.id: _number(item.tier) for item in department.projects},
                "penalties": department.penalties,
            }
            for department in scores.departments
        ],
    }


def parse(data: Any) -> tuple[list[Project], list[tuple[str, str]], Thresholds]:
    if not isinstance(data, dict):
        raise ValueError("the file must hold a JSON object")
    projects_raw, ratings_raw = data.get("projects"), data.get("ratings")
    if not isinstance(projects_raw, list) or not isinstance(ratings_raw, list):
        raise ValueError("'projects' and 'ratings' must be lists")
    projects = []
    for index, raw in enumerate(projects_raw, start=1):
        if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ("id", "department")):
            raise ValueError(f"project {index} needs a string 'id' and 'department'")
        projects.append(
            Project(raw["id"], raw["department"], str(raw.get("category", "")), raw.get("complete") is True)
        )
    ids = [project.id for project in projects]
    if len(set(ids)) != len(ids):
        raise ValueError("project ids must be unique")
    ratings = []
    for index, raw in enumerate(ratings_raw, start=1):
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("project"), str)
            or not isinstance(raw.get("rating"), str)
        ):
            raise ValueError(f"rating {index} needs a string 'project' and 'rating'")
        ratings.append((raw["project"], raw["rating"]))
    return projects, ratings, Thresholds.parse(data.get("thresholds"))


def run(path: Path) -> int:
    def compute(data: Any) -> dict[str, Any]:
        projects, ratings, thresholds = parse(data)
        return as_json(score(projects, ratings, thresholds))

    return run_json_command(path, compute)

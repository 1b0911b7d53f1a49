"""`python -m bot tally FILE.json`: an office double-checks a count with the same rules as the bot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.cli.json_io import run_json_command
from core.tally import Ballot, Candidate, Mode, Round, count_problem, tally


class TallyFileError(ValueError):
    """The file is not a round; the message says where."""


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TallyFileError(f"{key!r} must be a whole number")
    return value


def parse_round(data: Any) -> tuple[Round, list[Ballot]]:
    if not isinstance(data, dict):
        raise TallyFileError("the file must hold a JSON object")
    try:
        mode = Mode(data.get("mode", Mode.APPROVAL.value))
    except ValueError:
        raise TallyFileError(f"'mode' must be one of {', '.join(m.value for m in Mode)}") from None
    candidates_raw = data.get("candidates")
    if not isinstance(candidates_raw, list):
        raise TallyFileError("'candidates' must be a list")
    candidates = []
    for index, raw in enumerate(candidates_raw, start=1):
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("id"), str)
            or not isinstance(raw.get("category"), str)
        ):
            raise TallyFileError(f"candidate {index} needs a string 'id' and a string 'category'")
        candidates.append(Candidate(raw["id"], raw["category"]))
    ballots_raw = data.get("ballots")
    if not isinstance(ballots_raw, list):
        raise TallyFileError("'ballots' must be a list")
    ballots = []
    for index, raw in enumerate(ballots_raw, start=1):
        if not isinstance(raw, dict):
            raise TallyFileError(f"ballot {index} must be a JSON object")
        approve, marks = raw.get("approve", []), raw.get("marks", {})
        # A ballot of the wrong shape is an invalid ballot, as a spoilt paper one would be.
        ballots.append(
            Ballot(
                approve=tuple(approve)
                if isinstance(approve, list) and all(isinstance(a, str) for a in approve)
                else ("\0malformed",),
                marks=marks if isinstance(marks, dict) else {"\0malformed": "?"},
            )
        )
    round_ = Round(mode, _int(data, "quota"), _int(data, "electorate"), tuple(candidates))
    excess = count_problem(round_, len(ballots))
    if excess is not None:
        raise TallyFileError(
            f"configuration error: {len(ballots)} ballots but the electorate is {round_.electorate}"
        )
    return round_, ballots


def run(path: Path) -> int:
    def compute(data: Any) -> dict[str, Any]:
        round_, ballots = parse_round(data)
        return tally(round_, ballots).as_dict()

    return run_json_command(path, compute)

"""Pabulib (.pb): the participatory-budgeting data format of pabulib.org, used by Decidim.

Sections META, PROJECTS and VOTES, semicolon-separated. A selection round has no money to
allocate, so every project costs 1 and the budget is the number of seats: the same constraint.
"""

from __future__ import annotations

import csv
import io
import json

from bot.db.models import CastBallot, RoundCandidate, SelectionRound


def pabulib(
    round_: SelectionRound,
    candidates: list[RoundCandidate],
    ballots: list[CastBallot],
    country: str = "China",
    unit: str = "",
) -> str:
    result = json.loads(round_.result or "{}")
    counts = result.get("counts", {})
    elected = set(result.get("elected", []))
    approval = round_.mode == "approval"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    writer.writerow(["key", "value"])
    meta = [
        ("description", round_.title),
        ("country", country),
        ("unit", unit),
        ("instance", str(round_.year)),
        ("num_projects", str(len(candidates))),
        ("num_votes", str(len(ballots))),
        ("budget", str(round_.quota)),
        ("vote_type", "approval" if approval else "choose-1"),
        ("rule", "greedy"),
        ("min_length", "1"),
        ("max_length", str(round_.quota if approval else len(candidates))),
    ]
    writer.writerows(meta)
    out.write("PROJECTS\n")
    writer.writerow(["project_id", "cost", "votes", "name", "category", "selected"])
    for candidate in candidates:
        writer.writerow(
            [
                candidate.code,
                1,
                counts.get(candidate.code, {}).get("yes", 0),
                candidate.title,
                candidate.category,
                int(candidate.code in elected),
            ]
        )
    out.write("VOTES\n")
    writer.writerow(["voter_id", "vote"])
    for number, ballot in enumerate(ballots, start=1):
        choices = json.loads(ballot.choices)
        # choose-1 style for yes/no/abstain: the approved ("yes") projects form the vote.
        vote = (
            choices
            if isinstance(choices, list)
            else [code for code, mark in sorted(choices.items()) if mark == "yes"]
        )
        writer.writerow([number, ",".join(vote)])
    return out.getvalue()

"""Pabulib (.pb): the participatory-budgeting data format of pabulib.org, used by Decidim.

Sections META, PROJECTS and VOTES, semicolon-separated, as the format's own validator (the
`pabulib-checker` package) accepts them. A selection round has no money to allocate, so every
project costs 1 and the budget is the number of seats: the same constraint (DESIGN.md, "Selection
round").

- `approval` rounds: `vote_type;approval`, each ballot's approved candidates as its vote, rule
  `greedy` (the top N by approvals).
- `yes_no_abstain` rounds: Pabulib has no three-mark ballot, so the vote is the 赞成 marks (an
  approval ballot), rule `greedy-threshold` with `min_project_score_threshold` = the least number
  of approvals that is more than half of the electorate (全体代表过半数). The full marks are kept in the
  project's `votes` (赞成) and in META `comment` (per candidate 赞成/反对/弃权); a ballot that
  approved nothing cannot be a Pabulib vote and is counted in the comment instead.
- A tie at the last seat leaves seats to a runoff: the rule is then `unknown` (no rule of the
  format leaves a fundable project out) and the comment says why.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, tzinfo

from bot.db.models import CastBallot, RoundCandidate, SelectionRound
from core.results import Marks, RoundResult


def _day(moment: datetime | None, tz: tzinfo | None, year: int) -> str:
    """DD.MM.YYYY as the format wants; the year alone when the round has no date."""
    if moment is None:
        return str(year)
    return (moment.astimezone(tz) if tz else moment).strftime("%d.%m.%Y")


def _one_line(text: str) -> str:
    return " ".join(text.replace(";", ",").split())


def pabulib(
    round_: SelectionRound,
    candidates: list[RoundCandidate],
    ballots: list[CastBallot],
    result: RoundResult | None,
    country: str = "China",
    unit: str = "",
    tz: tzinfo | None = None,
) -> str:
    """The round as a .pb text. `result`: its count (None: not counted, every project at 0 votes);
    `unit`: the district (e.g. 福田区); `tz`: the office's zone."""
    counts = result.counts if result else {}
    elected = set(result.elected) if result else set()
    tied = set(result.tied) if result else set()
    marks = {c.code: counts.get(c.code, Marks()) for c in candidates}
    approval = round_.mode == "approval"
    votes: list[list[str]] = []
    empty = 0
    for ballot in ballots:
        choices = json.loads(ballot.choices)
        vote = (
            list(choices)
            if isinstance(choices, list)
            else [code for code, mark in choices.items() if mark == "yes"]
        )
        if vote:
            votes.append(sorted(vote))
        else:
            empty += 1
    # In an order of their own (by content), like the ballots CSV: `ballots` come in receipt-hash
    # order, and so does the published receipts file, so listing votes as they came would pair
    # each published hash with its vote.
    votes.sort()
    comments = []
    if not approval:
        per_candidate = ", ".join(
            f"{c.code} {marks[c.code].yes}/{marks[c.code].no}/{marks[c.code].abstain}" for c in candidates
        )
        comments.append(
            "yes/no/abstain ballot (赞成/反对/弃权): each vote lists the candidates marked yes; "
            f"a candidate needed yes from more than half of {round_.electorate or 0} deputies; "
            f"yes/no/abstain per candidate: {per_candidate}"
        )
        if empty:
            comments.append(f"{empty} ballot(s) marked no candidate yes and are not listed as votes")
    if tied:
        comments.append(
            f"tie at the last seat among {', '.join(sorted(tied))}: those seats go to a runoff round"
        )
    rule = "unknown" if tied else ("greedy" if approval else "greedy-threshold")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    writer.writerow(["key", "value"])
    meta = [
        ("description", _one_line(round_.title)),
        ("country", country),
        ("unit", _one_line(unit) or "unknown"),
        ("instance", str(round_.year)),
        ("num_projects", str(len(candidates))),
        ("num_votes", str(len(votes))),
        ("budget", str(round_.quota)),
        ("vote_type", "approval"),
        ("rule", rule),
        ("date_begin", _day(round_.opened_at or round_.opens_at, tz, round_.year)),
        ("date_end", _day(round_.closed_at or round_.closes_at, tz, round_.year)),
        ("min_length", "1"),
        ("max_length", str(round_.quota if approval else len(candidates))),
    ]
    if not approval:
        # The least approvals that are more than half of all deputies (全体代表过半数).
        meta.append(("min_project_score_threshold", str((round_.electorate or 0) // 2 + 1)))
    if comments:
        meta.append(("comment", " ".join(f"#{n}: {_one_line(c)}" for n, c in enumerate(comments, 1))))
    writer.writerows(meta)
    out.write("PROJECTS\n")
    writer.writerow(["project_id", "cost", "votes", "name", "category", "selected"])
    for candidate in candidates:
        writer.writerow(
            [
                candidate.code,
                1,
                marks[candidate.code].yes,
                _one_line(candidate.title),
                candidate.category,
                int(candidate.code in elected),
            ]
        )
    out.write("VOTES\n")
    writer.writerow(["voter_id", "vote"])
    for number, vote in enumerate(votes, start=1):
        writer.writerow([number, ",".join(vote)])
    return out.getvalue()

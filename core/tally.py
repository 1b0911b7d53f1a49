"""Selection rounds (项目票决): configuration check, ballot check, tally, ties. Pure and exact.

Chinese legal usage: 以上 / 以下 include the number itself (2/3 turnout is enough); 过半数 does not
(exactly half of the electorate is not a majority). Fractions are compared with integers only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from core.categories import default_categories
from core.results import Marks, RoundResult


class Mode(StrEnum):
    APPROVAL = "approval"  # Futian 2.0: only 赞成
    YES_NO_ABSTAIN = "yes_no_abstain"  # classic 赞成 / 反对 / 弃权


MARKS = ("yes", "no", "abstain")


@dataclass(frozen=True)
class Candidate:
    id: str
    category: str


@dataclass(frozen=True)
class Ballot:
    """approve: the ids approved (approval mode); marks: id -> yes/no/abstain (the other mode)."""

    approve: tuple[str, ...] = ()
    marks: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Round:
    mode: Mode
    quota: int
    electorate: int
    candidates: tuple[Candidate, ...]
    # A runoff among tied candidates: no margin to keep, and no category has to be covered.
    runoff: bool = False


def margin_bounds(quota: int) -> tuple[int, int]:
    """The fewest and most candidates allowed: 1.2·N ≤ C ≤ 1.5·N, bounds included (差额 20%–50%)."""
    return -(-6 * quota // 5), 3 * quota // 2


@dataclass(frozen=True)
class Problem:
    """A broken rule: a stable code and its values, for any language; `text` in English."""

    code: str
    values: Mapping[str, object]
    text: str


def round_problems(
    round_: Round, known_categories: Iterable[str] | None = None, *, runoff: bool = False
) -> list[Problem]:
    """Every rule the round breaks; empty when it may open.

    A runoff among tied candidates has no margin to keep: they are as many as the tie made them.
    """
    categories = set(known_categories or (c.code for c in default_categories()))
    problems: list[Problem] = []
    if round_.quota < 1:
        problems.append(
            Problem("quota", {"quota": round_.quota}, f"the quota must be at least 1 (it is {round_.quota})")
        )
    if round_.electorate < 1:
        problems.append(
            Problem(
                "electorate",
                {"electorate": round_.electorate},
                f"the electorate must be at least 1 (it is {round_.electorate})",
            )
        )
    count = len(round_.candidates)
    if round_.quota >= 1 and not (runoff or round_.runoff):
        low, high = margin_bounds(round_.quota)
        if not low <= count <= high:
            problems.append(
                Problem(
                    "margin",
                    {"count": count, "quota": round_.quota, "low": low, "high": high},
                    f"{count} candidates for {round_.quota} seats: between {low} and {high} are required "
                    "(1.2 to 1.5 times the quota)",
                )
            )
    seen: set[str] = set()
    for candidate in round_.candidates:
        if candidate.id in seen:
            problems.append(
                Problem(
                    "duplicate", {"id": candidate.id}, f"candidate id {candidate.id!r} appears more than once"
                )
            )
        seen.add(candidate.id)
        if candidate.category not in categories:
            problems.append(
                Problem(
                    "category",
                    {"id": candidate.id, "category": candidate.category},
                    f"candidate {candidate.id!r} has an unknown category {candidate.category!r}",
                )
            )
    return problems


def check_round(
    round_: Round, known_categories: Iterable[str] | None = None, *, runoff: bool = False
) -> list[str]:
    """The problems in words (English): what the tally CLI prints."""
    return [problem.text for problem in round_problems(round_, known_categories, runoff=runoff)]


class BallotRules:
    """The ballot rules of one round, prepared once so that a thousand ballots check quickly."""

    def __init__(self, round_: Round) -> None:
        self.round = round_
        self.ids = frozenset(candidate.id for candidate in round_.candidates)
        self.category_of = {candidate.id: candidate.category for candidate in round_.candidates}
        self.categories = frozenset(self.category_of.values())

    def problem(self, ballot: Ballot) -> str | None:
        """Why a ballot is invalid, or None. An invalid ballot counts for turnout only."""
        if self.round.mode is Mode.APPROVAL:
            approved = ballot.approve
            chosen = set(approved)
            if len(chosen) != len(approved):
                return "a candidate is approved twice"
            unknown = chosen - self.ids
            if unknown:
                return f"unknown candidate {sorted(unknown)[0]!r}"
            if len(approved) > self.round.quota:
                return f"{len(approved)} approvals for {self.round.quota} seats"
            missing = set() if self.round.runoff else self.categories - {self.category_of[c] for c in chosen}
            if missing:
                return f"no approval in categories {', '.join(sorted(missing))}"
            return None
        if ballot.marks.keys() != self.ids:
            return "every candidate needs exactly one mark"
        wrong = [mark for mark in ballot.marks.values() if mark not in MARKS]
        if wrong:
            return f"unknown mark {wrong[0]!r}"
        return None


def ballot_problem(round_: Round, ballot: Ballot) -> str | None:
    return BallotRules(round_).problem(ballot)


def quorum_met(turnout: int, electorate: int) -> bool:
    """三分之二以上: at least two thirds of the electorate cast a ballot."""
    return 3 * turnout >= 2 * electorate


def majority_of_electorate(yes: int, electorate: int) -> bool:
    """全体代表过半数: more than half of the whole electorate; exactly half is not enough."""
    return 2 * yes > electorate


def count_problem(round_: Round, turnout: int) -> Problem | None:
    """More ballots than the electorate: a configuration error (wrong electorate, or ballots that
    should not be there); the count is void rather than quietly over 100%."""
    if turnout > round_.electorate:
        return Problem(
            "turnout",
            {"turnout": turnout, "electorate": round_.electorate},
            f"{turnout} ballots for an electorate of {round_.electorate}",
        )
    return None


def tally(
    round_: Round, ballots: Sequence[Ballot], known_categories: Iterable[str] | None = None
) -> RoundResult:
    """Counts the ballots of a closed round (DESIGN.md "Selection round 项目票决").

    An invalid ballot counts for turnout only. A broken configuration (`round_problems`, or more
    ballots than the electorate) or a missed quorum elects nobody and leaves every seat. Approval:
    the top `quota` by approvals; 赞成/反对/弃权: the same among those approved by more than half of
    the whole electorate, the other seats staying empty. A tie across the last seat is reported in
    `tied` with the `seats_left`, never broken. Raises nothing for bad ballots or configuration.
    """
    errors = check_round(round_, known_categories)
    excess = count_problem(round_, len(ballots))
    if excess is not None:
        errors.append(excess.text)
    ids = [candidate.id for candidate in round_.candidates]
    counts = {candidate_id: {"yes": 0, "no": 0, "abstain": 0} for candidate_id in ids}
    invalid = 0
    rules = BallotRules(round_)
    for ballot in ballots:
        if rules.problem(ballot) is not None:
            invalid += 1
            continue
        if round_.mode is Mode.APPROVAL:
            for choice in ballot.approve:
                counts[choice]["yes"] += 1
        else:
            for candidate_id, mark in ballot.marks.items():
                counts[candidate_id][mark] += 1
    turnout = len(ballots)
    quorum = quorum_met(turnout, round_.electorate)
    # Equal counts keep the candidates' list order in the ranking; ties are reported, not broken.
    ranking = tuple(sorted(ids, key=lambda candidate_id: -counts[candidate_id]["yes"]))
    marks = {candidate_id: Marks(**count) for candidate_id, count in counts.items()}
    if errors or not quorum:
        return RoundResult(
            tuple(errors), turnout, quorum, invalid, marks, ranking, (), (), max(round_.quota, 0)
        )
    if round_.mode is Mode.APPROVAL:
        eligible = list(ranking)
    else:
        eligible = [c for c in ranking if majority_of_electorate(counts[c]["yes"], round_.electorate)]
    elected, tied = _fill_seats(eligible, counts, round_.quota)
    return RoundResult(
        (), turnout, quorum, invalid, marks, ranking, elected, tied, round_.quota - len(elected)
    )


def _fill_seats(
    ranked: list[str], counts: dict[str, dict[str, int]], quota: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The top `quota` of a ranked list; a tie across the last seat leaves those seats open."""
    if len(ranked) <= quota:
        return tuple(ranked), ()
    boundary = counts[ranked[quota - 1]]["yes"]
    above = [c for c in ranked if counts[c]["yes"] > boundary]
    level = [c for c in ranked if counts[c]["yes"] == boundary]
    if len(above) + len(level) <= quota:
        return tuple(above + level), ()
    return tuple(above), tuple(level)

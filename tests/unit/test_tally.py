"""Selection rounds: the rules of DESIGN.md, worked examples, and properties (hypothesis)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.results import Marks
from core.tally import (
    Ballot,
    Candidate,
    Mode,
    Round,
    ballot_problem,
    check_round,
    majority_of_electorate,
    margin_bounds,
    quorum_met,
    tally,
)

CODES = [
    "education",
    "eldercare",
    "health",
    "transport",
    "environment",
    "labour",
    "housing",
    "culture",
    "safety",
    "services",
]


def candidates(count: int) -> tuple[Candidate, ...]:
    return tuple(Candidate(f"c{i}", CODES[i % len(CODES)]) for i in range(1, count + 1))


def test_margin_bounds_include_both_ends() -> None:
    assert margin_bounds(20) == (24, 30)  # Futian: 30 candidates for 20 projects
    assert margin_bounds(7) == (9, 10)  # 大溪镇: 9 for 7
    assert margin_bounds(1) == (2, 1)  # one seat cannot have a lawful margin
    assert check_round(Round(Mode.APPROVAL, 20, 60, candidates(30))) == []
    assert check_round(Round(Mode.APPROVAL, 20, 60, candidates(24))) == []
    assert check_round(Round(Mode.APPROVAL, 7, 60, candidates(9))) == []
    assert "between 24 and 30" in check_round(Round(Mode.APPROVAL, 20, 60, candidates(31)))[0]
    assert "between 24 and 30" in check_round(Round(Mode.APPROVAL, 20, 60, candidates(23)))[0]


def test_configuration_errors_are_listed() -> None:
    bad = (Candidate("a", "education"), Candidate("a", "education"), Candidate("b", "weather"))
    errors = check_round(Round(Mode.APPROVAL, 0, 0, bad))
    assert "the quota must be at least 1 (it is 0)" in errors
    assert "the electorate must be at least 1 (it is 0)" in errors
    assert "candidate id 'a' appears more than once" in errors
    assert "candidate 'b' has an unknown category 'weather'" in errors


def test_quorum_and_majority_follow_chinese_legal_usage() -> None:
    assert quorum_met(40, 60) and not quorum_met(39, 60)  # 三分之二以上 includes 2/3
    assert quorum_met(2, 3) and not quorum_met(1, 3)
    assert majority_of_electorate(31, 60) and not majority_of_electorate(30, 60)  # 过半数 excludes half


def test_approval_ballot_rules() -> None:
    round_ = Round(
        Mode.APPROVAL,
        2,
        10,
        (Candidate("a", "education"), Candidate("b", "health"), Candidate("c", "health")),
    )
    assert ballot_problem(round_, Ballot(approve=("a", "b"))) is None
    assert ballot_problem(round_, Ballot(approve=("a",))) == "no approval in categories health"
    assert ballot_problem(round_, Ballot(approve=("a", "b", "c"))) == "3 approvals for 2 seats"
    assert "approved twice" in ballot_problem(round_, Ballot(approve=("a", "a")))  # type: ignore[operator]
    assert ballot_problem(round_, Ballot(approve=("a", "z"))) == "unknown candidate 'z'"


def test_yes_no_abstain_ballot_rules() -> None:
    round_ = Round(Mode.YES_NO_ABSTAIN, 1, 10, (Candidate("a", "education"), Candidate("b", "health")))
    assert ballot_problem(round_, Ballot(marks={"a": "yes", "b": "abstain"})) is None
    assert ballot_problem(round_, Ballot(marks={"a": "yes"})) == "every candidate needs exactly one mark"
    assert ballot_problem(round_, Ballot(marks={"a": "yes", "b": "maybe"})) == "unknown mark 'maybe'"


def test_daxi_town_seven_of_nine() -> None:
    """大溪镇: 9 candidates for 7 projects, approval ballots."""
    pool = tuple(Candidate(f"d{i}", CODES[i % 3]) for i in range(1, 10))
    round_ = Round(Mode.APPROVAL, 7, 30, pool)
    # 24 of 30 deputies vote; d8 and d9 get fewer approvals.
    ballots = [Ballot(approve=tuple(f"d{i}" for i in range(1, 8)))] * 20
    ballots += [Ballot(approve=("d1", "d2", "d3", "d8", "d9", "d4"))] * 3
    ballots += [Ballot(approve=("d1",))]  # misses two categories: invalid
    result = tally(round_, ballots)
    assert (result.turnout, result.invalid_ballots, result.quorum_met) == (24, 1, True)
    assert result.elected == ("d1", "d2", "d3", "d4", "d5", "d6", "d7")
    assert result.tied == () and result.seats_left == 0
    assert result.counts["d8"] == Marks(3, 0, 0)


def test_futian_twenty_of_thirty() -> None:
    pool = candidates(30)
    round_ = Round(Mode.APPROVAL, 20, 100, pool)
    favourites = tuple(c.id for c in pool[:20])
    ballots = [Ballot(approve=favourites)] * 80 + [Ballot(approve=tuple(c.id for c in pool[10:30]))] * 10
    result = tally(round_, ballots)
    assert result.quorum_met and result.turnout == 90
    assert set(result.elected) == set(pool[i].id for i in range(20))
    assert result.ranking[:10] == tuple(c.id for c in pool[10:20])  # 90 approvals each


def test_a_tie_across_the_last_seat_leaves_a_runoff() -> None:
    pool = (Candidate("a", "education"), Candidate("b", "education"), Candidate("c", "education"))
    round_ = Round(Mode.APPROVAL, 2, 3, pool)
    result = tally(round_, [Ballot(approve=("a", "b")), Ballot(approve=("a", "c")), Ballot(approve=("a",))])
    assert result.elected == ("a",) and set(result.tied) == {"b", "c"} and result.seats_left == 1


def test_void_quorum_elects_nobody() -> None:
    round_ = Round(
        Mode.APPROVAL,
        2,
        10,
        (Candidate("a", "education"), Candidate("b", "education"), Candidate("c", "education")),
    )
    result = tally(round_, [Ballot(approve=("a", "b"))] * 6)  # 6 < 2/3 of 10
    assert not result.quorum_met and result.elected == () and result.seats_left == 2
    assert result.counts["a"].yes == 6


def test_yes_no_abstain_needs_a_majority_of_the_whole_electorate() -> None:
    pool = (Candidate("a", "education"), Candidate("b", "health"), Candidate("c", "safety"))
    round_ = Round(Mode.YES_NO_ABSTAIN, 2, 10, pool)
    ballots = [Ballot(marks={"a": "yes", "b": "yes", "c": "no"})] * 5  # b: exactly half
    ballots += [Ballot(marks={"a": "yes", "b": "no", "c": "abstain"})] * 2
    result = tally(round_, ballots)
    assert result.quorum_met and result.elected == ("a",)
    assert result.tied == () and result.seats_left == 1  # too few eligible: the seat stays empty
    assert result.counts["c"] == Marks(0, 5, 2)


# -- properties --------------------------------------------------------------------------------
@st.composite
def approval_rounds(draw):  # type: ignore[no-untyped-def]
    quota = draw(st.integers(min_value=2, max_value=8))
    low, high = margin_bounds(quota)
    count = draw(st.integers(min_value=low, max_value=high))
    pool = tuple(Candidate(f"c{i}", draw(st.sampled_from(CODES[:3]))) for i in range(count))
    electorate = draw(st.integers(min_value=1, max_value=40))
    ids = [c.id for c in pool]
    ballots = draw(
        st.lists(
            st.lists(st.sampled_from(ids), unique=True, max_size=quota).map(
                lambda chosen: Ballot(approve=tuple(chosen))
            ),
            max_size=40,
        )
    )
    return Round(Mode.APPROVAL, quota, electorate, pool), ballots


@given(approval_rounds(), st.randoms())
def test_the_order_of_ballots_does_not_matter(case, random) -> None:  # type: ignore[no-untyped-def]
    round_, ballots = case
    shuffled = list(ballots)
    random.shuffle(shuffled)
    first, second = tally(round_, ballots), tally(round_, shuffled)
    assert first.counts == second.counts and first.elected == second.elected
    assert set(first.tied) == set(second.tied) and first.seats_left == second.seats_left


@given(approval_rounds())
def test_seats_add_up(case) -> None:  # type: ignore[no-untyped-def]
    round_, ballots = case
    result = tally(round_, ballots)
    assert len(result.elected) <= round_.quota
    assert len(result.elected) + result.seats_left == round_.quota
    if result.tied:
        assert len(result.tied) > result.seats_left > 0
        assert not set(result.tied) & set(result.elected)
    assert result.invalid_ballots <= result.turnout == len(ballots)


@given(approval_rounds(), st.data())
def test_adding_an_approval_never_lowers_a_rank(case, data) -> None:  # type: ignore[no-untyped-def]
    round_, ballots = case
    valid = [
        i
        for i, b in enumerate(ballots)
        if ballot_problem(round_, b) is None and len(b.approve) < round_.quota
    ]
    assume(valid)
    index = data.draw(st.sampled_from(valid))
    missing = [c.id for c in round_.candidates if c.id not in ballots[index].approve]
    target = data.draw(st.sampled_from(missing))
    before = tally(round_, ballots)
    more = list(ballots)
    more[index] = Ballot(approve=(*ballots[index].approve, target))
    after = tally(round_, more)

    def better(result, candidate: str) -> int:  # type: ignore[no-untyped-def]
        """How many candidates have strictly more approvals: a tie-proof rank."""
        mine = result.yes(candidate)
        return sum(1 for c in result.counts.values() if c.yes > mine)

    assert better(after, target) <= better(before, target)
    if before.quorum_met and target in before.elected:
        assert target in after.elected


# -- the command line --------------------------------------------------------------------------
def run_cli(tmp_path: Path, content: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "round.json"
    path.write_text(content, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", "tally", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_cli_prints_the_result(tmp_path: Path) -> None:
    data = {
        "mode": "approval",
        "quota": 2,
        "electorate": 4,
        "candidates": [
            {"id": "c1", "category": "education"},
            {"id": "c2", "category": "education"},
            {"id": "c3", "category": "education"},
        ],
        "ballots": [
            {"approve": ["c1", "c2"]},
            {"approve": ["c1", "c3"]},
            {"approve": ["c1", "c2"]},
            {"approve": "c1"},
        ],
    }
    result = run_cli(tmp_path, json.dumps(data))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out == {
        "config_errors": [],
        "turnout": 4,
        "quorum_met": True,
        "invalid_ballots": 1,
        "counts": {
            "c1": {"yes": 3, "no": 0, "abstain": 0},
            "c2": {"yes": 2, "no": 0, "abstain": 0},
            "c3": {"yes": 1, "no": 0, "abstain": 0},
        },
        "ranking": ["c1", "c2", "c3"],
        "elected": ["c1", "c2"],
        "tied": [],
        "seats_left": 0,
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ("[]", "must hold a JSON object"),
        (
            '{"mode": "lottery", "quota": 1, "electorate": 1, "candidates": [], "ballots": []}',
            "'mode' must be one of",
        ),
        (
            '{"quota": "two", "electorate": 1, "candidates": [], "ballots": []}',
            "'quota' must be a whole number",
        ),
        ('{"quota": 1, "electorate": 1, "candidates": [{"id": 1}], "ballots": []}', "candidate 1 needs"),
        ('{"quota": 1, "electorate": 1, "candidates": [], "ballots": [7]}', "ballot 1 must be a JSON object"),
    ],
)
def test_cli_refuses_a_malformed_file_in_one_line(tmp_path: Path, content: str, message: str) -> None:
    result = run_cli(tmp_path, content)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


# -- runoffs and broken configurations (hand mutations of these rules must fail here) -----------
def runoff_pool() -> tuple[Candidate, ...]:
    return (Candidate("b", "education"), Candidate("c", "health"), Candidate("d", "safety"))


def test_a_runoff_keeps_no_margin() -> None:
    """Three tied candidates for one seat: a lawful runoff, though 3 > 1.5 × 1."""
    assert margin_bounds(1) == (2, 1)
    assert check_round(Round(Mode.APPROVAL, 1, 10, runoff_pool(), runoff=True)) == []
    assert check_round(Round(Mode.APPROVAL, 1, 10, runoff_pool()), runoff=True) == []
    assert check_round(Round(Mode.APPROVAL, 1, 10, runoff_pool()[:2], runoff=True)) == []
    # The same candidates outside a runoff break the margin rule.
    [problem] = check_round(Round(Mode.APPROVAL, 1, 10, runoff_pool()))
    assert problem == "3 candidates for 1 seats: between 2 and 1 are required (1.2 to 1.5 times the quota)"
    # A runoff still refuses what is wrong in any round.
    assert check_round(Round(Mode.APPROVAL, 0, 0, runoff_pool(), runoff=True)) == [
        "the quota must be at least 1 (it is 0)",
        "the electorate must be at least 1 (it is 0)",
    ]


def test_a_runoff_ballot_need_not_cover_every_category() -> None:
    runoff = Round(Mode.APPROVAL, 1, 4, runoff_pool(), runoff=True)
    assert ballot_problem(runoff, Ballot(approve=("c",))) is None
    assert ballot_problem(runoff, Ballot(approve=())) is None
    assert ballot_problem(runoff, Ballot(approve=("b", "c"))) == "2 approvals for 1 seats"
    # Outside a runoff the same ballot misses two categories.
    ordinary = Round(Mode.APPROVAL, 1, 4, runoff_pool())
    assert ballot_problem(ordinary, Ballot(approve=("c",))) == "no approval in categories education, safety"
    result = tally(runoff, [Ballot(approve=("c",))] * 2 + [Ballot(approve=("b",))])
    assert (result.config_errors, result.invalid_ballots, result.quorum_met) == ((), 0, True)
    assert result.elected == ("c",) and result.tied == () and result.seats_left == 0


def test_a_broken_configuration_voids_the_count() -> None:
    """Quorum met and clear winners, but 4 candidates for 2 seats breaks the margin: nobody is elected."""
    pool = tuple(Candidate(c, "education") for c in "abcd")
    round_ = Round(Mode.APPROVAL, 2, 3, pool)
    result = tally(round_, [Ballot(approve=("a", "b"))] * 3)
    assert result.config_errors == (
        "4 candidates for 2 seats: between 3 and 3 are required (1.2 to 1.5 times the quota)",
    )
    assert result.quorum_met and result.turnout == 3 and result.invalid_ballots == 0
    assert result.counts["a"] == Marks(3, 0, 0)
    assert result.elected == () and result.tied == () and result.seats_left == 2
    # An unknown category voids it too, in either mode.
    odd = (Candidate("a", "education"), Candidate("b", "weather"), Candidate("c", "health"))
    marks = Ballot(marks={"a": "yes", "b": "yes", "c": "no"})
    voided = tally(Round(Mode.YES_NO_ABSTAIN, 2, 2, odd), [marks] * 2)
    assert voided.config_errors == ("candidate 'b' has an unknown category 'weather'",)
    assert voided.elected == () and voided.seats_left == 2
    # The same ballots in a well-formed round elect a and b.
    fine = (Candidate("a", "education"), Candidate("b", "safety"), Candidate("c", "health"))
    assert tally(Round(Mode.YES_NO_ABSTAIN, 2, 2, fine), [marks] * 2).elected == ("a", "b")

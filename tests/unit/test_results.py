"""Results as values (core/results.py): the JSON the bot stored before results were typed still
loads, field by field, and is written back as the very same text."""

from __future__ import annotations

import pytest

from core.results import Marks, RoundResult
from core.tally import Ballot, Candidate, Mode, Round, tally

# Written by the bot before results were typed (core/tally.py's Result.as_dict() under
# json.dumps(..., ensure_ascii=False)): samples/round.jsonl's first round, a tie for the last seat.
STORED_TIE = (
    '{"config_errors": [], "turnout": 4, "quorum_met": true, "invalid_ballots": 0, "counts": '
    '{"c1": {"yes": 4, "no": 0, "abstain": 0}, "c2": {"yes": 3, "no": 0, "abstain": 0}, '
    '"c3": {"yes": 1, "no": 0, "abstain": 0}, "c4": {"yes": 4, "no": 0, "abstain": 0}, '
    '"c5": {"yes": 3, "no": 0, "abstain": 0}, "c6": {"yes": 1, "no": 0, "abstain": 0}, '
    '"c7": {"yes": 4, "no": 0, "abstain": 0}, "c8": {"yes": 3, "no": 0, "abstain": 0}, '
    '"c9": {"yes": 1, "no": 0, "abstain": 0}}, "ranking": ["c1", "c4", "c7", "c2", "c5", "c8", '
    '"c3", "c6", "c9"], "elected": ["c1", "c4", "c7", "c2", "c5", "c8"], "tied": ["c3", "c6", '
    '"c9"], "seats_left": 1}'
)
# A void count by the same code: a margin error, more ballots than the electorate, one invalid.
STORED_VOID = (
    '{"config_errors": ["2 candidates for 1 seats: between 2 and 1 are required (1.2 to 1.5 times '
    'the quota)", "3 ballots for an electorate of 2"], "turnout": 3, "quorum_met": true, '
    '"invalid_ballots": 1, "counts": {"c1": {"yes": 1, "no": 0, "abstain": 1}, "c2": {"yes": 1, '
    '"no": 1, "abstain": 0}}, "ranking": ["c1", "c2"], "elected": [], "tied": [], "seats_left": 1}'
)


def test_a_stored_round_result_loads_and_round_trips() -> None:
    result = RoundResult.from_json(STORED_TIE)
    assert result.turnout == 4 and result.quorum_met and result.invalid_ballots == 0
    assert result.config_errors == ()
    assert result.counts["c1"] == Marks(4, 0, 0) and result.yes("c9") == 1
    assert list(result.counts) == [f"c{n}" for n in range(1, 10)]  # the candidates' order kept
    assert result.ranking[:3] == ("c1", "c4", "c7") and len(result.elected) == 6
    assert result.tied == ("c3", "c6", "c9") and result.seats_left == 1
    assert result.to_json() == STORED_TIE


def test_a_stored_void_count_loads_and_round_trips() -> None:
    result = RoundResult.from_json(STORED_VOID)
    assert result.config_errors[1] == "3 ballots for an electorate of 2"
    assert result.counts["c1"] == Marks(yes=1, no=0, abstain=1) and result.invalid_ballots == 1
    assert result.elected == () and result.seats_left == 1
    assert result.to_json() == STORED_VOID


def test_the_tally_writes_what_was_stored() -> None:
    """The same count today gives the same text the bot stored before."""
    round_ = Round(Mode.YES_NO_ABSTAIN, 1, 2, (Candidate("c1", "eldercare"), Candidate("c2", "transport")))
    ballots = [
        Ballot(marks={"c1": "yes", "c2": "no"}),
        Ballot(marks={"c1": "abstain", "c2": "yes"}),
        Ballot(marks={"c1": "maybe", "c2": "no"}),
    ]
    assert tally(round_, ballots).to_json() == STORED_VOID
    assert RoundResult.from_json(STORED_VOID) == tally(round_, ballots)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        "{}",
        STORED_TIE.replace('"turnout": 4', '"turnout": "four"'),
        STORED_TIE.replace('"yes": 4, "no": 0, "abstain": 0', '"yes": 4'),
        STORED_TIE.replace('"counts": {', '"counts": [{').replace(', "ranking"', '], "ranking"'),
    ],
)
def test_anything_else_is_refused_as_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a stored round result"):
        RoundResult.from_json(text)

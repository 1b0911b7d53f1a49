"""Results as values (core/results.py): the JSON the bot stored before results were typed still
loads, field by field, and is written back as the very same text."""

from __future__ import annotations

from fractions import Fraction

import pytest

from core.consequences import evaluation_result
from core.results import (
    CategoryResult,
    DepartmentResult,
    EvaluationResult,
    Marks,
    RatingCounts,
    RoundResult,
)
from core.scoring import Project, Thresholds, score
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

# samples/evaluation.jsonl's round as the bot stored it before results were typed (the services'
# compute() dict under json.dumps(..., ensure_ascii=False)).
STORED_EVALUATION = (
    '{"voters": 3, "electorate": 5, "participation": "3/5", "projects": [{"id": "1", '
    '"name": "新建社区长者饭堂", "department": "区民政局", "category": "eldercare", "complete": true, '
    '"ratings": 3, "counts": {"satisfied": 2, "basically_satisfied": 1, '
    '"dissatisfied": 0}, "satisfaction": "1/1", "satisfied_share": "2/3", "tier": "19/20", '
    '"penalty": false}, {"id": "2", "name": "背街小巷路灯改造", "department": "区城市管理和综合执法局", '
    '"category": "services", "complete": false, "ratings": 2, "counts": {"satisfied": 0, '
    '"basically_satisfied": 1, "dissatisfied": 1}, "satisfaction": "1/2", '
    '"satisfied_share": "0/1", "tier": null, "penalty": true}], '
    '"categories": [{"category": "eldercare", "satisfaction": "1/1"}, '
    '{"category": "services", "satisfaction": "1/2"}], '
    '"departments": [{"department": "区民政局", "projects": ["1"], "complete": true, '
    '"satisfaction": "1/1", "points": 5, "tiers": {"1": "19/20"}, "penalties": []}, '
    '{"department": "区城市管理和综合执法局", "projects": ["2"], "complete": false, '
    '"satisfaction": "1/2", "points": 0, "tiers": {}, "penalties": ["2"]}]}'
)

# The same code's result for four projects: one at 0%, one nobody rated, two departments with a tier.
STORED_FOUR = (
    '{"voters": 3, "electorate": 7, "participation": "3/7", "projects": [{"id": "1", '
    '"name": "新建社区长者饭堂", "department": "区民政局", "category": "eldercare", "complete": true, '
    '"ratings": 3, "counts": {"satisfied": 2, "basically_satisfied": 1, '
    '"dissatisfied": 0}, "satisfaction": "1/1", "satisfied_share": "2/3", "tier": "19/20", '
    '"penalty": false}, {"id": "2", "name": "背街小巷路灯改造", "department": "区城市管理和综合执法局", '
    '"category": "services", "complete": false, "ratings": 3, "counts": {"satisfied": 0, '
    '"basically_satisfied": 0, "dissatisfied": 3}, "satisfaction": "0/1", '
    '"satisfied_share": "0/1", "tier": null, "penalty": true}, {"id": "3", "name": "口袋公园", '
    '"department": "区城市管理和综合执法局", "category": "environment", "complete": true, '
    '"ratings": 0, "counts": {"satisfied": 0, "basically_satisfied": 0, '
    '"dissatisfied": 0}, "satisfaction": null, "satisfied_share": null, "tier": null, '
    '"penalty": false}, {"id": "4", "name": "学校周边交通", "department": "区教育局", '
    '"category": "transport", "complete": true, "ratings": 3, "counts": {"satisfied": 2, '
    '"basically_satisfied": 1, "dissatisfied": 0}, "satisfaction": "1/1", '
    '"satisfied_share": "2/3", "tier": "19/20", "penalty": false}], '
    '"categories": [{"category": "eldercare", "satisfaction": "1/1"}, '
    '{"category": "services", "satisfaction": "0/1"}, {"category": "environment", '
    '"satisfaction": null}, {"category": "transport", "satisfaction": "1/1"}], '
    '"departments": [{"department": "区民政局", "projects": ["1"], "complete": true, '
    '"satisfaction": "1/1", "points": 5, "tiers": {"1": "19/20"}, "penalties": []}, '
    '{"department": "区城市管理和综合执法局", "projects": ["2", "3"], "complete": false, '
    '"satisfaction": "0/1", "points": 0, "tiers": {}, "penalties": ["2"]}, '
    '{"department": "区教育局", "projects": ["4"], "complete": true, "satisfaction": "1/1", '
    '"points": 5, "tiers": {"4": "19/20"}, "penalties": []}]}'
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


def test_a_stored_evaluation_result_loads_and_round_trips() -> None:
    result = EvaluationResult.from_json(STORED_EVALUATION)
    assert (result.voters, result.electorate, result.participation) == (3, 5, Fraction(3, 5))
    first, second = result.projects
    assert (first.id, first.name, first.category, first.complete) == (
        "1",
        "新建社区长者饭堂",
        "eldercare",
        True,
    )
    assert first.counts == RatingCounts(2, 1, 0) and first.ratings == 3
    assert (first.satisfaction, first.satisfied_share, first.tier) == (1, Fraction(2, 3), Fraction("0.95"))
    assert second.satisfied_share == 0 and second.tier is None and second.penalty
    assert result.categories == (
        CategoryResult("eldercare", Fraction(1)),
        CategoryResult("services", Fraction(1, 2)),
    )
    assert result.departments[0] == DepartmentResult(
        "区民政局", ("1",), True, Fraction(1), 5, (("1", Fraction(19, 20)),), ()
    )
    assert result.departments[1].penalties == ("2",) and result.departments[1].tiers == ()
    assert result.to_json() == STORED_EVALUATION


def test_zero_and_not_rated_stay_apart_through_the_stored_form() -> None:
    result = EvaluationResult.from_json(STORED_FOUR)
    zero, nobody = result.projects[1], result.projects[2]
    assert zero.satisfaction == 0 and zero.satisfaction is not None and zero.penalty
    assert nobody.satisfaction is None and nobody.satisfied_share is None and not nobody.penalty
    assert result.categories[2] == CategoryResult("environment", None)
    assert result.to_json() == STORED_FOUR


def test_the_result_built_from_the_scores_is_what_was_stored() -> None:
    """core.consequences.evaluation_result writes, for the same ratings, the text compute() stored."""
    projects = [
        Project("1", "区民政局", "eldercare", True),
        Project("2", "区城市管理和综合执法局", "services", False),
        Project("3", "区城市管理和综合执法局", "environment", True),
        Project("4", "区教育局", "transport", True),
    ]
    ballots = [
        {"1": "satisfied", "2": "dissatisfied", "4": "basically_satisfied"},
        {"1": "satisfied", "2": "dissatisfied", "4": "satisfied"},
        {"1": "basically_satisfied", "2": "dissatisfied", "4": "satisfied"},
    ]
    scores = score(projects, [pair for ballot in ballots for pair in ballot.items()], Thresholds())
    names = {"1": "新建社区长者饭堂", "2": "背街小巷路灯改造", "3": "口袋公园", "4": "学校周边交通"}
    result = evaluation_result(scores, names, 3, 7, {"complete": 2, "0.95": 3, "0.9": 2, "0.85": 1})
    assert result.to_json() == STORED_FOUR
    assert EvaluationResult.from_json(STORED_FOUR) == result
    assert evaluation_result(scores, names, 0, 0).participation is None  # nobody could rate


def test_a_result_stored_before_results_per_category_loads_without_them() -> None:
    older = STORED_EVALUATION.replace(
        '"categories": [{"category": "eldercare", "satisfaction": "1/1"}, '
        '{"category": "services", "satisfaction": "1/2"}], ',
        "",
    )
    assert '"categories"' not in older
    assert EvaluationResult.from_json(older).categories == ()


@pytest.mark.parametrize(
    "text",
    [
        "null",
        STORED_TIE,
        STORED_EVALUATION.replace('"participation": "3/5"', '"participation": "three fifths"'),
        STORED_EVALUATION.replace('"tiers": {"1": "19/20"}', '"tiers": ["19/20"]'),
    ],
)
def test_anything_else_is_refused_as_an_evaluation_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a stored evaluation result"):
        EvaluationResult.from_json(text)


def test_a_count_without_quorum_loads_as_such() -> None:
    text = STORED_VOID.replace('"quorum_met": true', '"quorum_met": false')
    result = RoundResult.from_json(text)
    assert result.quorum_met is False
    assert result.to_json() == text


def test_a_round_nobody_could_rate_stores_no_participation() -> None:
    """Participation is None when the electorate is empty (not 0%): stored as null, read back None."""
    empty = EvaluationResult(0, 0, None, (), (), ())
    stored = '{"voters": 0, "electorate": 0, "participation": null, "projects": [], "categories": [], "departments": []}'
    assert empty.to_json() == stored
    assert EvaluationResult.from_json(stored) == empty

"""Workflow transitions, tracking numbers, similarity, intake checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.intake import TextProblem, check_text, meaningful_characters
from core.roles import Role
from core.similarity import most_similar, similarity
from core.tracking import parse_tracking_code, tracking_code
from core.workflow import (
    STATE_LABELS,
    TRANSITIONS,
    Action,
    State,
    TransitionRefused,
    allowed_actions,
    transition,
)


def test_every_state_has_a_label() -> None:
    assert set(STATE_LABELS) == set(State)


def test_a_resident_submits_and_withdraws() -> None:
    assert transition(State.DRAFT, Action.SUBMIT, Role.RESIDENT) is State.SUBMITTED
    assert transition(State.SUBMITTED, Action.WITHDRAW, Role.RESIDENT) is State.WITHDRAWN
    with pytest.raises(TransitionRefused, match="not_allowed"):
        transition(State.TO_STREET, Action.WITHDRAW, Role.RESIDENT)


def test_triage_needs_a_deputy_and_a_reason_to_decline() -> None:
    assert transition(State.SUBMITTED, Action.TO_DISTRICT, Role.DEPUTY) is State.TO_DISTRICT
    with pytest.raises(TransitionRefused) as refused:
        transition(State.SUBMITTED, Action.TO_DISTRICT, Role.RESIDENT)
    assert refused.value.code == "wrong_role"
    with pytest.raises(TransitionRefused) as refused:
        transition(State.SUBMITTED, Action.DECLINE, Role.DEPUTY, "  ")
    assert refused.value.code == "reason_required"
    assert transition(State.SUBMITTED, Action.DECLINE, Role.DEPUTY, "重复") is State.DECLINED


def test_feasibility_is_staff_work() -> None:
    assert transition(State.TO_DISTRICT, Action.FEASIBLE, Role.STAFF) is State.FEASIBLE
    with pytest.raises(TransitionRefused):
        transition(State.TO_DISTRICT, Action.FEASIBLE, Role.DEPUTY)
    assert Action.INFEASIBLE in allowed_actions(State.TO_DISTRICT, Role.STAFF)


@given(st.sampled_from(list(State)), st.sampled_from(list(Action)), st.sampled_from(list(Role)))
def test_transition_is_total_and_follows_the_table(state: State, action: Action, role: Role) -> None:
    rule = TRANSITIONS.get(state, {}).get(action)
    try:
        new = transition(state, action, role, "理由")
    except TransitionRefused:
        assert rule is None or role not in rule.roles
    else:
        assert rule is not None and new is rule.to


def test_terminal_states_have_no_way_out() -> None:
    for state in (State.MERGED, State.DECLINED, State.WITHDRAWN, State.ELECTED, State.ABANDONED):
        assert all(not allowed_actions(state, role) for role in Role)


def test_tracking_codes() -> None:
    assert tracking_code(2026, 123) == "MS-2026-000123"
    assert parse_tracking_code(" ms-2026-000123 ") == (2026, 123)
    assert parse_tracking_code("MS-26-1") is None


def test_similarity() -> None:
    base = "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全"
    assert similarity(base, base) == pytest.approx(1.0)
    assert similarity(base, "小区门口路灯坏了几个月了，晚上出门不安全") > 0.5
    assert similarity(base, "学校门口早上堵车很严重") < 0.2
    assert similarity("", base) == 0.0
    assert most_similar(base, [(1, "学校门口早上堵车"), (2, "小区门口路灯坏了很久，晚上不安全")]) == [
        (2, pytest.approx(similarity(base, "小区门口路灯坏了很久，晚上不安全")))
    ]


@given(st.text(), st.text())
def test_similarity_is_symmetric_and_bounded(first: str, second: str) -> None:
    assert 0.0 <= similarity(first, second) <= 1.0 + 1e-9
    assert similarity(first, second) == pytest.approx(similarity(second, first))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("😀😀😀", TextProblem.NO_WORDS),
        ("。。。！！", TextProblem.NO_WORDS),
        ("   ", TextProblem.NO_WORDS),
        ("路灯", TextProblem.TOO_SHORT),
        ("路灯坏了", None),
        ("字" * 2001, TextProblem.TOO_LONG),
        ("Fix the lights", None),
    ],
)
def test_intake_checks(text: str, problem: TextProblem | None) -> None:
    assert check_text(text) is problem


def test_meaningful_characters_ignore_emoji_and_punctuation() -> None:
    assert meaningful_characters("路灯😀坏了！!") == 4

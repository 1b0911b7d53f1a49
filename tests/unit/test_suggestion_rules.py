"""Workflow transitions, tracking numbers, similarity, intake checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.suggestion_texts import STATE_LABELS
from core.intake import TextProblem, check_text, meaningful_characters
from core.roles import Role
from core.similarity import most_similar, similarity
from core.tracking import parse_tracking_code, tracking_code
from core.workflow import (
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
    with pytest.raises(TransitionRefused, match="feasible from to_district: wrong_role"):
        transition(State.TO_DISTRICT, Action.FEASIBLE, Role.DEPUTY)
    assert Action.INFEASIBLE in allowed_actions(State.TO_DISTRICT, Role.STAFF)


# The workflow of DESIGN.md written down by hand, independently of core/workflow.py's table:
# (state, action) -> (new state, roles allowed, reason required). Every other pair is refused.
R, D, S, A = Role.RESIDENT, Role.DEPUTY, Role.STAFF, Role.ADMIN
ANYONE = {R, D, S, A}  # as the suggestion's author
EXPECTED: dict[tuple[State, Action], tuple[State, set[Role], bool]] = {
    (State.DRAFT, Action.SUBMIT): (State.SUBMITTED, ANYONE, False),
    (State.DRAFT, Action.ABANDON): (State.ABANDONED, ANYONE, False),
    (State.SUBMITTED, Action.WITHDRAW): (State.WITHDRAWN, ANYONE, False),
    (State.SUBMITTED, Action.ASK): (State.NEEDS_INFO, {D, A}, True),
    (State.NEEDS_INFO, Action.ANSWER): (State.SUBMITTED, ANYONE, True),
    **{
        (state, action): (to, {D, A}, action is Action.DECLINE)
        for state in (State.SUBMITTED, State.NEEDS_INFO)
        for action, to in (
            (Action.TO_COMMUNITY, State.TO_COMMUNITY),
            (Action.TO_LEGISLATION, State.TO_LEGISLATION),
            (Action.TO_STREET, State.TO_STREET),
            (Action.TO_DISTRICT, State.TO_DISTRICT),
            (Action.MERGE, State.MERGED),
            (Action.DECLINE, State.DECLINED),
        )
    },
    (State.TO_DISTRICT, Action.FEASIBLE): (State.FEASIBLE, {S, A}, False),
    (State.TO_DISTRICT, Action.INFEASIBLE): (State.INFEASIBLE, {S, A}, True),
    (State.FEASIBLE, Action.NOMINATE): (State.CANDIDATE, {A}, False),
    (State.CANDIDATE, Action.ELECT): (State.ELECTED, {A}, False),
    (State.CANDIDATE, Action.NOT_ELECT): (State.NOT_ELECTED, {A}, False),
}


def outcome(state: State, action: Action, role: Role, reason: str | None) -> str:
    try:
        return transition(state, action, role, reason).value
    except TransitionRefused as refused:
        assert (refused.state, refused.action) == (state, action)
        return refused.code


def test_every_state_action_and_role_against_the_written_down_workflow() -> None:
    wrong = []
    for state in State:
        for role in Role:
            for action in Action:
                if (state, action) not in EXPECTED:
                    expected = dict.fromkeys((None, "  ", "理由"), "not_allowed")
                else:
                    to, roles, reason_required = EXPECTED[state, action]
                    if role not in roles:
                        expected = dict.fromkeys((None, "  ", "理由"), "wrong_role")
                    elif reason_required:
                        expected = {None: "reason_required", "  ": "reason_required", "理由": to.value}
                    else:
                        expected = dict.fromkeys((None, "  ", "理由"), to.value)
                for reason, answer in expected.items():
                    got = outcome(state, action, role, reason)
                    if got != answer:
                        wrong.append(f"{state}/{action}/{role}/{reason!r}: {got}, expected {answer}")
            offered = {
                action for (s, action), (_, roles, _) in EXPECTED.items() if s is state and role in roles
            }
            if set(allowed_actions(state, role)) != offered or len(allowed_actions(state, role)) != len(
                offered
            ):
                wrong.append(
                    f"allowed_actions({state}, {role}) = {allowed_actions(state, role)}, expected {offered}"
                )
    assert not wrong, "\n".join(wrong)


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

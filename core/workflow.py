"""The life of a suggestion: its states, and which role may move it where.

Handlers never set states: services ask `transition()` and record what it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.roles import Role


class State(StrEnum):
    DRAFT = "draft"  # being written in chat; nobody else sees it
    ABANDONED = "abandoned"  # the resident did not send the draft
    SUBMITTED = "submitted"
    NEEDS_INFO = "needs_info"
    TO_COMMUNITY = "to_community"
    TO_LEGISLATION = "to_legislation"
    TO_STREET = "to_street"
    TO_DISTRICT = "to_district"
    MERGED = "merged"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    CANDIDATE = "candidate"
    ELECTED = "elected"
    NOT_ELECTED = "not_elected"


# States in which deputies still have to act; near-duplicates are looked for among these.
OPEN_STATES = frozenset({State.SUBMITTED, State.NEEDS_INFO})


class Action(StrEnum):
    SUBMIT = "submit"
    ABANDON = "abandon"
    WITHDRAW = "withdraw"
    ASK = "ask"
    ANSWER = "answer"
    TO_COMMUNITY = "to_community"
    TO_LEGISLATION = "to_legislation"
    TO_STREET = "to_street"
    TO_DISTRICT = "to_district"
    MERGE = "merge"
    DECLINE = "decline"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NOMINATE = "nominate"
    ELECT = "elect"
    NOT_ELECT = "not_elect"


@dataclass(frozen=True)
class Rule:
    to: State
    roles: frozenset[Role]
    reason_required: bool = False


_RESIDENT = frozenset({Role.RESIDENT, Role.DEPUTY, Role.STAFF, Role.ADMIN})  # anyone, as the author
_TRIAGE = frozenset({Role.DEPUTY, Role.ADMIN})
_STAFF = frozenset({Role.STAFF, Role.ADMIN})
_ADMIN = frozenset({Role.ADMIN})

_TRIAGE_ACTIONS = {
    Action.TO_COMMUNITY: Rule(State.TO_COMMUNITY, _TRIAGE),
    Action.TO_LEGISLATION: Rule(State.TO_LEGISLATION, _TRIAGE),
    Action.TO_STREET: Rule(State.TO_STREET, _TRIAGE),
    Action.TO_DISTRICT: Rule(State.TO_DISTRICT, _TRIAGE),
    Action.MERGE: Rule(State.MERGED, _TRIAGE),
    Action.DECLINE: Rule(State.DECLINED, _TRIAGE, reason_required=True),
}

TRANSITIONS: dict[State, dict[Action, Rule]] = {
    State.DRAFT: {
        Action.SUBMIT: Rule(State.SUBMITTED, _RESIDENT),
        Action.ABANDON: Rule(State.ABANDONED, _RESIDENT),
    },
    State.SUBMITTED: {
        **_TRIAGE_ACTIONS,
        Action.ASK: Rule(State.NEEDS_INFO, _TRIAGE, reason_required=True),
        Action.WITHDRAW: Rule(State.WITHDRAWN, _RESIDENT),
    },
    State.NEEDS_INFO: {
        **_TRIAGE_ACTIONS,
        Action.ANSWER: Rule(State.SUBMITTED, _RESIDENT, reason_required=True),
    },
    State.TO_DISTRICT: {
        Action.FEASIBLE: Rule(State.FEASIBLE, _STAFF),
        Action.INFEASIBLE: Rule(State.INFEASIBLE, _STAFF, reason_required=True),
    },
    State.FEASIBLE: {Action.NOMINATE: Rule(State.CANDIDATE, _ADMIN)},
    State.CANDIDATE: {
        Action.ELECT: Rule(State.ELECTED, _ADMIN),
        Action.NOT_ELECT: Rule(State.NOT_ELECTED, _ADMIN),
    },
}


class TransitionRefused(Exception):
    """The move is not allowed; `code` says why (not_allowed, wrong_role, reason_required)."""

    def __init__(self, code: str, state: State, action: Action) -> None:
        super().__init__(f"{action} from {state}: {code}")
        self.code = code
        self.state = state
        self.action = action


def transition(state: State, action: Action, role: Role, reason: str | None = None) -> State:
    rule = TRANSITIONS.get(state, {}).get(action)
    if rule is None:
        raise TransitionRefused("not_allowed", state, action)
    if role not in rule.roles:
        raise TransitionRefused("wrong_role", state, action)
    if rule.reason_required and not (reason and reason.strip()):
        raise TransitionRefused("reason_required", state, action)
    return rule.to


def allowed_actions(state: State, role: Role) -> list[Action]:
    return [action for action, rule in TRANSITIONS.get(state, {}).items() if role in rule.roles]

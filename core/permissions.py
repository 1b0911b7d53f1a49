"""Who may see and do what with a suggestion: one rule per kind of press (DESIGN.md "Roles").

Pure: the caller gathers the facts (the presser's role, whether they wrote it, whether they are a
deputy of its street, whether they follow it) and asks `suggestion_access`. Which *state* an
action may start from is core/workflow.py's table; this module answers *who* may touch the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.roles import Role
from core.workflow import Action, State


class Need(StrEnum):
    """What a press asks of a suggestion."""

    AUTHOR = "author"  # the author's own steps: draft, withdraw, answer a question
    READ = "read"  # see its card or detail
    TRIAGE = "triage"  # forward, merge, decline, ask, reclassify, reassign
    FEASIBILITY = "feasibility"  # 论证可行 / 论证不可行 in the district pool
    NOMINATE = "nominate"  # put a feasible item on next year's candidate list


class Access(StrEnum):
    NONE = "none"
    PUBLIC = "public"  # states and reasons only: never the relay between author and deputies
    FULL = "full"


# Written only by the resident and the deputies: a question and its answer may carry a phone
# number or an address, so followers and the public never see them.
PRIVATE_EVENT_KINDS = frozenset({"ask", "answer"})
# The deputies' steps on an open suggestion (reclassify and reassign are annotations, not moves).
TRIAGE_ACTIONS = frozenset(
    {
        Action.TO_COMMUNITY,
        Action.TO_LEGISLATION,
        Action.TO_STREET,
        Action.TO_DISTRICT,
        Action.MERGE,
        Action.DECLINE,
        Action.ASK,
    }
)
UNSENT = frozenset({State.DRAFT, State.ABANDONED})
DISTRICT_POOL = frozenset(
    {State.TO_DISTRICT, State.FEASIBLE, State.INFEASIBLE, State.CANDIDATE, State.ELECTED, State.NOT_ELECTED}
)


def need_for(action: Action) -> Need:
    """The kind of access a workflow action asks for."""
    if action in (Action.FEASIBLE, Action.INFEASIBLE):
        return Need.FEASIBILITY
    if action in (Action.NOMINATE, Action.ELECT, Action.NOT_ELECT):
        return Need.NOMINATE
    if action in (Action.SUBMIT, Action.ABANDON, Action.WITHDRAW, Action.ANSWER):
        return Need.AUTHOR
    return Need.TRIAGE


@dataclass(frozen=True)
class Facts:
    """What is known about the presser and the suggestion."""

    role: Role
    state: State
    is_author: bool = False
    own_street: bool = False  # an active deputy of the suggestion's street
    follows: bool = False


def suggestion_access(need: Need, facts: Facts) -> Access:
    """FULL, PUBLIC or NONE for this press.

    - A draft (or a draft never sent) is its author's alone, whatever the need.
    - AUTHOR: the author only.
    - READ: the author, deputies of its street and admins in full; staff once it reached the
      district pool; followers see its public history.
    - TRIAGE: deputies of its street and admins (never staff).
    - FEASIBILITY: staff and admins; NOMINATE: admins.
    """
    if facts.state in UNSENT:
        return Access.FULL if facts.is_author and need in (Need.AUTHOR, Need.READ) else Access.NONE
    if need is Need.AUTHOR:
        return Access.FULL if facts.is_author else Access.NONE
    if need is Need.TRIAGE:
        allowed = facts.role is Role.ADMIN or (facts.role is Role.DEPUTY and facts.own_street)
        return Access.FULL if allowed else Access.NONE
    if need is Need.FEASIBILITY:
        return Access.FULL if facts.role in (Role.STAFF, Role.ADMIN) else Access.NONE
    if need is Need.NOMINATE:
        return Access.FULL if facts.role is Role.ADMIN else Access.NONE
    # READ
    if facts.is_author or facts.role is Role.ADMIN:
        return Access.FULL
    if facts.role is Role.DEPUTY and facts.own_street:
        return Access.FULL
    if facts.role is Role.STAFF and facts.state in DISTRICT_POOL:
        return Access.FULL
    return Access.PUBLIC if facts.follows else Access.NONE


def shows_reason(kind: str, access: Access) -> bool:
    """Whether a reader sees an event's text: followers (PUBLIC) see that a question was asked
    and answered (the states), never what was asked or answered."""
    return access is Access.FULL or kind not in PRIVATE_EVENT_KINDS


# -- projects -------------------------------------------------------------------------------------
class ProjectNeed(StrEnum):
    """What a press asks of a project."""

    READ = "read"  # its card, following it: anyone (the list is public, as on the board)
    INNER = "inner"  # residents' feedback in its history: the group, the department, admins
    REPORT = "report"  # plan, progress, completion: staff of its department
    INSPECT = "inspect"  # 视察记录: deputies of its supervision group
    FEEDBACK = "feedback"  # a resident's word on it: its followers
    MANAGE = "manage"  # change fields, the supervision group: admins


# Residents' feedback is meant for the supervision group and the department (DESIGN.md
# "Implementation and supervision"), never for other followers or the public board.
INNER_PROJECT_EVENTS = frozenset({"feedback"})


@dataclass(frozen=True)
class ProjectFacts:
    role: Role
    in_department: bool = False  # active staff of the project's department
    supervisor: bool = False  # a deputy of its supervision group
    follows: bool = False


def project_access(need: ProjectNeed, facts: ProjectFacts) -> bool:
    if need is ProjectNeed.READ:
        return True
    if need is ProjectNeed.INNER:
        return facts.role is Role.ADMIN or facts.in_department or facts.supervisor
    if need is ProjectNeed.REPORT:
        return facts.role is Role.STAFF and facts.in_department
    if need is ProjectNeed.INSPECT:
        return facts.role is Role.DEPUTY and facts.supervisor
    if need is ProjectNeed.FEEDBACK:
        return facts.follows
    return facts.role is Role.ADMIN  # MANAGE


def visible_project_events(events: list, facts: ProjectFacts, user_id: int | None = None) -> list:  # type: ignore[type-arg]
    """A project's history as this reader may see it: feedback only for the inner circle (and
    each resident's own)."""
    if project_access(ProjectNeed.INNER, facts):
        return list(events)
    return [e for e in events if e.kind not in INNER_PROJECT_EVENTS or (user_id and e.actor_id == user_id)]

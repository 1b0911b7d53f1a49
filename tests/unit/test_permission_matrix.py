"""core/permissions.py's rules, case by case, written down by hand from DESIGN.md "Roles"
(not derived from the module): a changed rule must change a line here too."""

from __future__ import annotations

import pytest

from core.permissions import Access, Facts, Need, ProjectFacts, ProjectNeed, project_access, suggestion_access
from core.roles import Role
from core.workflow import State

R, D, S, A = Role.RESIDENT, Role.DEPUTY, Role.STAFF, Role.ADMIN
FULL, PUBLIC, NONE = Access.FULL, Access.PUBLIC, Access.NONE

SUGGESTION_CASES = [
    # A draft is its author's alone, whoever else asks.
    (Need.READ, Facts(R, State.DRAFT, is_author=True), FULL),
    (Need.AUTHOR, Facts(R, State.DRAFT, is_author=True), FULL),
    (Need.TRIAGE, Facts(R, State.DRAFT, is_author=True), NONE),
    (Need.READ, Facts(A, State.DRAFT), NONE),
    (Need.READ, Facts(D, State.ABANDONED, own_street=True), NONE),
    (Need.READ, Facts(R, State.DRAFT, follows=True), NONE),
    # The author's own steps.
    (Need.AUTHOR, Facts(R, State.SUBMITTED, is_author=True), FULL),
    (Need.AUTHOR, Facts(A, State.SUBMITTED), NONE),
    (Need.AUTHOR, Facts(D, State.SUBMITTED, own_street=True), NONE),
    # Reading a sent suggestion.
    (Need.READ, Facts(R, State.SUBMITTED, is_author=True), FULL),
    (Need.READ, Facts(A, State.SUBMITTED), FULL),
    (Need.READ, Facts(D, State.SUBMITTED, own_street=True), FULL),
    (Need.READ, Facts(D, State.SUBMITTED), NONE),  # a deputy of another street
    (Need.READ, Facts(D, State.SUBMITTED, follows=True), PUBLIC),
    (Need.READ, Facts(R, State.SUBMITTED, follows=True), PUBLIC),
    (Need.READ, Facts(R, State.SUBMITTED), NONE),
    (Need.READ, Facts(S, State.SUBMITTED), NONE),  # staff before the district pool
    (Need.READ, Facts(S, State.TO_DISTRICT), FULL),
    (Need.READ, Facts(S, State.NOT_ELECTED), FULL),
    (Need.READ, Facts(S, State.TO_STREET), NONE),
    # Triage: deputies of its street and admins, never staff.
    (Need.TRIAGE, Facts(D, State.SUBMITTED, own_street=True), FULL),
    (Need.TRIAGE, Facts(D, State.SUBMITTED), NONE),
    (Need.TRIAGE, Facts(A, State.NEEDS_INFO), FULL),
    (Need.TRIAGE, Facts(S, State.SUBMITTED), NONE),
    (Need.TRIAGE, Facts(R, State.SUBMITTED, is_author=True), NONE),
    # Feasibility: staff and admins; nominating: admins.
    (Need.FEASIBILITY, Facts(S, State.TO_DISTRICT), FULL),
    (Need.FEASIBILITY, Facts(A, State.TO_DISTRICT), FULL),
    (Need.FEASIBILITY, Facts(D, State.TO_DISTRICT, own_street=True), NONE),
    (Need.NOMINATE, Facts(A, State.FEASIBLE), FULL),
    (Need.NOMINATE, Facts(S, State.FEASIBLE), NONE),
    (Need.NOMINATE, Facts(D, State.FEASIBLE, own_street=True), NONE),
]


@pytest.mark.parametrize(("need", "facts", "expected"), SUGGESTION_CASES)
def test_suggestion_access(need: Need, facts: Facts, expected: Access) -> None:
    assert suggestion_access(need, facts) is expected


PROJECT_CASES = [
    (ProjectNeed.READ, ProjectFacts(R), True),
    (ProjectNeed.INNER, ProjectFacts(R, follows=True), False),
    (ProjectNeed.INNER, ProjectFacts(S, in_department=True), True),
    (ProjectNeed.INNER, ProjectFacts(S), False),  # staff of another department
    (ProjectNeed.INNER, ProjectFacts(D, supervisor=True), True),
    (ProjectNeed.INNER, ProjectFacts(D), False),  # a deputy outside the supervision group
    (ProjectNeed.INNER, ProjectFacts(A), True),
    (ProjectNeed.REPORT, ProjectFacts(S, in_department=True), True),
    (ProjectNeed.REPORT, ProjectFacts(S), False),
    (ProjectNeed.REPORT, ProjectFacts(A), False),
    (ProjectNeed.REPORT, ProjectFacts(D, supervisor=True, in_department=True), False),
    (ProjectNeed.INSPECT, ProjectFacts(D, supervisor=True), True),
    (ProjectNeed.INSPECT, ProjectFacts(D), False),
    (ProjectNeed.INSPECT, ProjectFacts(S, in_department=True, supervisor=True), False),
    (ProjectNeed.FEEDBACK, ProjectFacts(R, follows=True), True),
    (ProjectNeed.FEEDBACK, ProjectFacts(R), False),
    (ProjectNeed.MANAGE, ProjectFacts(A), True),
    (ProjectNeed.MANAGE, ProjectFacts(S, in_department=True), False),
    (ProjectNeed.MANAGE, ProjectFacts(D, supervisor=True), False),
]


@pytest.mark.parametrize(("need", "facts", "expected"), PROJECT_CASES)
def test_project_access(need: ProjectNeed, facts: ProjectFacts, expected: bool) -> None:
    assert project_access(need, facts) is expected

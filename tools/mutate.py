"""Hand mutations of the rule files: does the test suite notice when a rule is broken?

Each mutation replaces one exact snippet of a rule file by a wrong version of the rule (the kind of
slip a person makes: a bound that excludes its end, a flag ignored, a role added). For each, the
script copies the project to a temporary folder once, applies the mutation there (the working tree
is never touched), runs the tests that pin that file, and reports the mutant KILLED (a test failed)
or SURVIVED (every test passed: the rule is not pinned). A snippet that is no longer in the file is
reported STALE and counts as a failure of the run, so the list cannot silently rot when a rule file
is rewritten.

Usage (from the project's root, with the project's Python):

    python tools/mutate.py                 # every mutation; exit 1 if any survived or is stale
    python tools/mutate.py --file core/tally.py
    python tools/mutate.py --name staff-may-triage --verbose
    python tools/mutate.py --list
    python tools/mutate.py --tests tests/unit tests/e2e/test_rounds.py   # a wider net, slower

The mutations of core/tally.py and core/scoring.py include those of issue 12; those of
core/workflow.py the eleven of issue 13; those of core/permissions.py break the permission matrix;
those of core/rounds.py, core/numbers.py and core/results.py the vote's integrity: the time rule's
bounds, the lifecycle tables of both kinds of round, receipts and fingerprints, the int32 bounds of
numbers from outside, and the stored form of results (a key dropped or renamed, a field not read back).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    file: str
    original: str
    mutated: str
    name: str


# The unit tests that pin each rule file (fast: a mutant is judged in seconds).
TESTS: dict[str, list[str]] = {
    "core/tally.py": ["tests/unit/test_tally.py"],
    "core/scoring.py": ["tests/unit/test_scoring.py"],
    "core/workflow.py": ["tests/unit/test_suggestion_rules.py"],
    "core/permissions.py": ["tests/unit/test_permission_matrix.py"],
    "core/rounds.py": ["tests/unit/test_round_rules.py"],
    "core/numbers.py": ["tests/unit/test_numbers.py"],
    "core/results.py": ["tests/unit/test_results.py"],
}

MUTATIONS: list[Mutation] = [
    # -- core/tally.py (issue 12's three first) --------------------------------------------------
    Mutation(
        "core/tally.py",
        "if round_.quota >= 1 and not (runoff or round_.runoff):",
        "if round_.quota >= 1:",
        "runoff-flag-ignored-for-margin",
    ),
    Mutation(
        "core/tally.py",
        "if round_.quota >= 1 and not (runoff or round_.runoff):",
        "if round_.quota >= 1 and not runoff:",
        "runoff-round-field-ignored-for-margin",
    ),
    Mutation(
        "core/tally.py",
        "missing = set() if self.round.runoff else self.categories - {self.category_of[c] for c in chosen}",
        "missing = self.categories - {self.category_of[c] for c in chosen}",
        "runoff-ballots-must-cover-every-category",
    ),
    Mutation(
        "core/tally.py",
        "if errors or not quorum:",
        "if not quorum:",
        "configuration-errors-do-not-void-the-count",
    ),
    Mutation(
        "core/tally.py",
        "return 3 * turnout >= 2 * electorate",
        "return 3 * turnout > 2 * electorate",
        "quorum-excludes-two-thirds",
    ),
    Mutation(
        "core/tally.py",
        "return 2 * yes > electorate",
        "return 2 * yes >= electorate",
        "half-the-electorate-is-a-majority",
    ),
    Mutation(
        "core/tally.py",
        "return -(-6 * quota // 5), 3 * quota // 2",
        "return 6 * quota // 5, 3 * quota // 2",
        "margin-low-bound-rounded-down",
    ),
    Mutation(
        "core/tally.py",
        "if not low <= count <= high:",
        "if not low <= count < high:",
        "margin-high-bound-excluded",
    ),
    Mutation(
        "core/tally.py",
        "if len(approved) > self.round.quota:",
        "if len(approved) > self.round.quota + 1:",
        "one-approval-too-many-accepted",
    ),
    Mutation(
        "core/tally.py",
        "if len(above) + len(level) <= quota:",
        "if len(above) + len(level) <= quota + 1:",
        "tie-across-the-last-seat-broken-by-list-order",
    ),
    Mutation(
        "core/tally.py",
        'eligible = [c for c in ranking if majority_of_electorate(counts[c]["yes"], round_.electorate)]',
        "eligible = list(ranking)",
        "yes-no-abstain-without-a-majority",
    ),
    Mutation(
        "core/tally.py",
        "if ballot.marks.keys() != self.ids:",
        "if not ballot.marks.keys() <= self.ids:",
        "yes-no-abstain-ballot-may-skip-a-candidate",
    ),
    # -- core/scoring.py (issue 12's four first) -------------------------------------------------
    Mutation(
        "core/scoring.py",
        "if any(not 0 < t <= 1 for t in fractions)",
        "if any(not 0 < t < 1 for t in fractions)",
        "a-100-percent-tier-refused",
    ),
    Mutation(
        "core/scoring.py",
        "return isinstance(value, int | float) and not isinstance(value, bool)",
        "return isinstance(value, int | float)",
        "booleans-accepted-as-numbers",
    ),
    Mutation(
        "core/scoring.py",
        "tenths = (rate * 1000 + Fraction(1, 2)).__floor__()",
        "tenths = round(rate * 1000)",
        "bankers-rounding-of-percentages",
    ),
    Mutation(
        "core/scoring.py",
        "or not 0 <= Fraction(str(penalty)) < 1:",
        "or not 0 <= Fraction(str(penalty)):",
        "a-penalty-threshold-above-1-accepted",
    ),
    Mutation(
        "core/scoring.py",
        "or not 0 <= Fraction(str(penalty)) < 1:",
        "or not 0 <= Fraction(str(penalty)) <= 1:",
        "a-penalty-threshold-of-1-accepted",
    ),
    Mutation(
        "core/scoring.py",
        "if rate >= threshold), None)",
        "if rate > threshold), None)",
        "a-tier-excludes-its-threshold",
    ),
    Mutation(
        "core/scoring.py",
        "return rate is not None and rate <= thresholds.penalty_at_or_below",
        "return rate is not None and rate < thresholds.penalty_at_or_below",
        "the-penalty-excludes-its-threshold",
    ),
    Mutation(
        "core/scoring.py",
        "return Fraction(self.satisfied + self.basically_satisfied, self.total) if self.total else None",
        "return Fraction(self.satisfied + self.basically_satisfied, self.total) if self.total else Fraction(0)",
        "not-rated-counts-as-zero",
    ),
    Mutation(
        "core/scoring.py",
        "if len(set(fractions)) != len(fractions):",
        "if False:",
        "duplicate-tiers-accepted",
    ),
    # -- core/workflow.py (issue 13's eleven) ----------------------------------------------------
    Mutation(
        "core/workflow.py",
        "_TRIAGE = frozenset({Role.DEPUTY, Role.ADMIN})",
        "_TRIAGE = frozenset({Role.DEPUTY, Role.ADMIN, Role.STAFF})",
        "staff-may-triage",
    ),
    Mutation(
        "core/workflow.py",
        "State.FEASIBLE: {Action.NOMINATE: Rule(State.CANDIDATE, _ADMIN)},",
        "State.FEASIBLE: {Action.NOMINATE: Rule(State.CANDIDATE, _STAFF)},",
        "staff-may-nominate",
    ),
    Mutation(
        "core/workflow.py",
        "return [action for action, rule in TRANSITIONS.get(state, {}).items() if role in rule.roles]",
        "return [action for action, rule in TRANSITIONS.get(state, {}).items()]",
        "allowed-actions-ignores-the-role",
    ),
    Mutation(
        "core/workflow.py",
        "    State.TO_DISTRICT: {\n",
        "    State.TO_COMMUNITY: {Action.WITHDRAW: Rule(State.WITHDRAWN, _RESIDENT)},\n    State.TO_DISTRICT: {\n",
        "withdrawal-after-to-community",
    ),
    Mutation(
        "core/workflow.py",
        "Action.MERGE: Rule(State.MERGED, _TRIAGE),",
        "Action.MERGE: Rule(State.DECLINED, _TRIAGE),",
        "a-merge-lands-in-declined",
    ),
    Mutation(
        "core/workflow.py",
        "Action.INFEASIBLE: Rule(State.INFEASIBLE, _STAFF, reason_required=True),",
        "Action.INFEASIBLE: Rule(State.INFEASIBLE, _STAFF),",
        "infeasible-without-a-reason",
    ),
    Mutation(
        "core/workflow.py",
        "Action.ANSWER: Rule(State.SUBMITTED, _RESIDENT, reason_required=True),",
        "Action.ANSWER: Rule(State.SUBMITTED, _RESIDENT),",
        "an-answer-without-a-reason",
    ),
    Mutation(
        "core/workflow.py",
        "    State.FEASIBLE: {",
        "    State.NOT_ELECTED: {Action.NOMINATE: Rule(State.CANDIDATE, _ADMIN)},\n    State.FEASIBLE: {",
        "not-elected-re-nominated",
    ),
    Mutation(
        "core/workflow.py",
        "    State.FEASIBLE: {",
        "    State.INFEASIBLE: {Action.FEASIBLE: Rule(State.FEASIBLE, _STAFF)},\n    State.FEASIBLE: {",
        "infeasible-re-judged",
    ),
    Mutation(
        "core/workflow.py",
        "State.FEASIBLE: {Action.NOMINATE: Rule(State.CANDIDATE, _ADMIN)},",
        "State.FEASIBLE: {Action.NOMINATE: Rule(State.CANDIDATE, _ADMIN), "
        "Action.ELECT: Rule(State.ELECTED, _ADMIN)},",
        "feasible-elected-directly",
    ),
    Mutation(
        "core/workflow.py",
        "if rule.reason_required and not (reason and reason.strip()):",
        "if rule.reason_required and not reason:",
        "a-blank-reason-accepted",
    ),
    # -- core/permissions.py (the permission matrix) ---------------------------------------------
    Mutation(
        "core/permissions.py",
        "return Access.FULL if facts.is_author and need in (Need.AUTHOR, Need.READ) else Access.NONE",
        "return Access.FULL if facts.is_author else Access.NONE",
        "an-author-may-triage-own-draft",
    ),
    Mutation(
        "core/permissions.py",
        "allowed = facts.role is Role.ADMIN or (facts.role is Role.DEPUTY and facts.own_street)",
        "allowed = facts.role is Role.ADMIN or facts.role is Role.DEPUTY",
        "any-deputy-may-triage",
    ),
    Mutation(
        "core/permissions.py",
        "allowed = facts.role is Role.ADMIN or (facts.role is Role.DEPUTY and facts.own_street)",
        "allowed = facts.role in (Role.ADMIN, Role.STAFF) or (facts.role is Role.DEPUTY and facts.own_street)",
        "staff-may-triage",
    ),
    Mutation(
        "core/permissions.py",
        "return Access.FULL if facts.role in (Role.STAFF, Role.ADMIN) else Access.NONE",
        "return Access.FULL if facts.role in (Role.STAFF, Role.ADMIN, Role.DEPUTY) else Access.NONE",
        "deputies-may-judge-feasibility",
    ),
    Mutation(
        "core/permissions.py",
        "if facts.role is Role.STAFF and facts.state in DISTRICT_POOL:",
        "if facts.role is Role.STAFF:",
        "staff-read-everything",
    ),
    Mutation(
        "core/permissions.py",
        "return Access.PUBLIC if facts.follows else Access.NONE",
        "return Access.PUBLIC",
        "anyone-reads-any-suggestion",
    ),
    Mutation(
        "core/permissions.py",
        "return facts.role is Role.STAFF and facts.in_department",
        "return facts.role is Role.STAFF",
        "staff-of-another-department-report",
    ),
    Mutation(
        "core/permissions.py",
        "return facts.role is Role.DEPUTY and facts.supervisor",
        "return facts.role is Role.DEPUTY",
        "a-deputy-outside-the-group-inspects",
    ),
    Mutation(
        "core/permissions.py",
        "return facts.role is Role.ADMIN or facts.in_department or facts.supervisor",
        "return facts.role is Role.ADMIN or facts.in_department or facts.supervisor or facts.follows",
        "followers-read-residents-feedback",
    ),
    # -- core/rounds.py (the time rule, receipts, fingerprints, the lifecycle tables) ------------
    Mutation(
        "core/rounds.py",
        "if closes_at is not None and now >= closes_at:\n        return Refusal.LATE",
        "if closes_at is not None and now > closes_at:\n        return Refusal.LATE",
        "a-ballot-at-the-closing-moment-counts",
    ),
    Mutation(
        "core/rounds.py",
        "if closes_at is not None and now >= closes_at:\n        return Refusal.LATE",
        "if False:\n        return Refusal.LATE",
        "a-ballot-after-the-closing-time-counts-while-still-open",
    ),
    Mutation(
        "core/rounds.py",
        'if status != "open":\n        return Refusal.CLOSED',
        'if status == "closed":\n        return Refusal.CLOSED',
        "a-ballot-before-the-opening-counts",
    ),
    Mutation(
        "core/rounds.py",
        "if opens_at is None or now < opens_at:",
        "if opens_at is None or now <= opens_at:",
        "the-opening-moment-waits",
    ),
    Mutation(
        "core/rounds.py",
        "if now - opens_at > OPENING_GRACE or",
        "if now - opens_at >= OPENING_GRACE or",
        "the-last-moment-of-grace-missed",
    ),
    Mutation(
        "core/rounds.py",
        "OPENING_GRACE = timedelta(minutes=10)",
        "OPENING_GRACE = timedelta(hours=10)",
        "a-round-opened-hours-late",
    ),
    Mutation(
        "core/rounds.py",
        " or (closes_at is not None and now >= closes_at):\n        return Opening.MISSED",
        ":\n        return Opening.MISSED",
        "a-round-opened-after-its-closing-time",
    ),
    Mutation(
        "core/rounds.py",
        "return closes_at is not None and now >= closes_at",
        "return closes_at is not None and now > closes_at",
        "the-closing-moment-not-yet-due",
    ),
    Mutation(
        "core/rounds.py",
        "return moment > opened and moment <= now < closes_at",
        "return moment >= opened and moment <= now < closes_at",
        "a-reminder-at-the-opening-moment",
    ),
    Mutation(
        "core/rounds.py",
        "return moment > opened and moment <= now < closes_at",
        "return moment > opened and moment <= now <= closes_at",
        "a-reminder-at-the-closing-moment",
    ),
    Mutation(
        "core/rounds.py",
        "return moment > opened and moment <= now < closes_at",
        "return moment > opened and moment < now < closes_at",
        "a-reminder-not-due-at-its-moment",
    ),
    Mutation(
        "core/rounds.py",
        'RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"',
        'RECEIPT_ALPHABET = "0123456789ABCDEFGHIJKMNPQRSTVWXY"',
        "a-receipt-alphabet-with-an-i",
    ),
    Mutation(
        "core/rounds.py",
        'text = "".join(reversed(symbols))',
        'text = "".join(symbols)',
        "receipt-symbols-least-significant-first",
    ),
    Mutation(
        "core/rounds.py",
        '_READ_AS = {"O": "0", "I": "1", "L": "1", "U": "V"}',
        '_READ_AS = {"O": "0", "I": "1", "U": "V"}',
        "a-typed-l-not-read-as-1",
    ),
    Mutation(
        "core/rounds.py",
        '_READ_AS = {"O": "0", "I": "1", "L": "1", "U": "V"}',
        '_READ_AS = {"O": "0", "I": "1", "L": "1"}',
        "a-typed-u-not-read-as-v",
    ),
    Mutation(
        "core/rounds.py",
        "for c in text.upper() if c.isalnum())",
        'for c in text.upper() if c != "-")',
        "spaces-in-a-typed-receipt-matter",
    ),
    Mutation(
        "core/rounds.py",
        "for c in text.upper() if c.isalnum())",
        "for c in text if c.isalnum())",
        "the-case-of-a-typed-receipt-matters",
    ),
    Mutation(
        "core/rounds.py",
        "normalise_receipt(receipt).encode(), hashlib.sha256)",
        "receipt.encode(), hashlib.sha256)",
        "the-digest-of-the-receipt-as-typed",
    ),
    Mutation(
        "core/rounds.py",
        "normalise_receipt(receipt).encode(), hashlib.sha256)",
        "normalise_receipt(receipt).encode(), hashlib.sha1)",
        "the-digest-is-not-hmac-sha256",
    ),
    Mutation(
        "core/rounds.py",
        "return hmac.new(bytes.fromhex(key), normalise_receipt(receipt).encode(), hashlib.sha256).hexdigest()",
        "return hashlib.sha256(normalise_receipt(receipt).encode()).hexdigest()",
        "the-digest-ignores-the-round-key",
    ),
    Mutation(
        "core/rounds.py",
        'json.dumps(choices, sort_keys=True, ensure_ascii=True, separators=(",", ":"))',
        'json.dumps(choices, ensure_ascii=True, separators=(",", ":"))',
        "the-fingerprint-depends-on-key-order",
    ),
    Mutation(
        "core/rounds.py",
        "return hashlib.sha256(canonical.encode()).hexdigest()[:8]",
        "return hashlib.sha256(canonical.encode()).hexdigest()[:6]",
        "a-shorter-fingerprint",
    ),
    Mutation(
        "core/rounds.py",
        "    Status.SCHEDULED: (AdminAct.SHOW,),\n",
        "",
        "selection-scheduled-row-dropped",
    ),
    Mutation(
        "core/rounds.py",
        "    Status.SCHEDULED: (AdminAct.SHOW,),\n",
        "    Status.SCHEDULED: (AdminAct.SHOW, AdminAct.TIMES),\n",
        "a-scheduled-selection-round-rescheduled",
    ),
    Mutation(
        "core/rounds.py",
        "Status.DRAFT: (AdminAct.SHOW, AdminAct.QUOTA, AdminAct.TIMES),",
        "Status.DRAFT: (AdminAct.SHOW, AdminAct.QUOTA, AdminAct.TIMES, AdminAct.PAPER),",
        "paper-ballots-entered-in-a-draft",
    ),
    Mutation(
        "core/rounds.py",
        "Status.CLOSED: (AdminAct.SHOW, AdminAct.PUBLISH, AdminAct.RUNOFF),",
        "Status.CLOSED: (AdminAct.SHOW, AdminAct.PUBLISH, AdminAct.RUNOFF, AdminAct.PAPER),",
        "paper-ballots-entered-after-the-closing",
    ),
    Mutation(
        "core/rounds.py",
        "Status.PUBLISHED: (AdminAct.SHOW, AdminAct.EXPORT, AdminAct.RUNOFF),",
        "Status.PUBLISHED: (AdminAct.SHOW, AdminAct.EXPORT, AdminAct.RUNOFF, AdminAct.QUOTA),",
        "the-quota-changed-after-publication",
    ),
    Mutation(
        "core/rounds.py",
        "Status.PUBLISHED: (AdminAct.SHOW, AdminAct.EXPORT, AdminAct.RUNOFF),",
        "Status.PUBLISHED: (AdminAct.SHOW, AdminAct.RUNOFF),",
        "a-published-round-not-exported",
    ),
    Mutation(
        "core/rounds.py",
        "Status.OPEN: (AdminAct.SHOW, AdminAct.TURNOUT, AdminAct.PAPER, AdminAct.CHECK, AdminAct.CLOSE),",
        "Status.OPEN: (AdminAct.SHOW, AdminAct.TURNOUT, AdminAct.PAPER, AdminAct.CHECK, AdminAct.CLOSE, "
        "AdminAct.EXPORT),",
        "ballots-exported-while-the-vote-runs",
    ),
    Mutation(
        "core/rounds.py",
        "if not (act is AdminAct.TIMES and config_errors) and not (act is AdminAct.RUNOFF and not tied)",
        "if not (act is AdminAct.RUNOFF and not tied)",
        "a-broken-configuration-scheduled",
    ),
    Mutation(
        "core/rounds.py",
        "if not (act is AdminAct.TIMES and config_errors) and not (act is AdminAct.RUNOFF and not tied)",
        "if not (act is AdminAct.TIMES and config_errors)",
        "a-runoff-without-a-tie",
    ),
    Mutation(
        "core/rounds.py",
        "    Status.DRAFT: (EvaluationAct.SHOW, EvaluationAct.TIMES),\n",
        "",
        "evaluation-draft-row-dropped",
    ),
    Mutation(
        "core/rounds.py",
        "Status.OPEN: (EvaluationAct.SHOW, EvaluationAct.TURNOUT, EvaluationAct.CLOSE),",
        "Status.OPEN: (EvaluationAct.SHOW, EvaluationAct.TURNOUT, EvaluationAct.CLOSE, EvaluationAct.PUBLISH),",
        "an-evaluation-published-while-open",
    ),
    Mutation(
        "core/rounds.py",
        "Status.CLOSED: (EvaluationAct.SHOW, EvaluationAct.PUBLISH, EvaluationAct.EXPORT),",
        "Status.CLOSED: (EvaluationAct.SHOW, EvaluationAct.PUBLISH, EvaluationAct.EXPORT, EvaluationAct.TURNOUT),",
        "evaluation-turnout-after-the-closing",
    ),
    Mutation(
        "core/rounds.py",
        "Status.CLOSED: (EvaluationAct.SHOW, EvaluationAct.PUBLISH, EvaluationAct.EXPORT),",
        "Status.CLOSED: (EvaluationAct.SHOW, EvaluationAct.EXPORT),",
        "a-closed-evaluation-never-published",
    ),
    Mutation(
        "core/rounds.py",
        "Status.PUBLISHED: (EvaluationAct.SHOW, EvaluationAct.EXPORT),",
        "Status.PUBLISHED: (EvaluationAct.SHOW, EvaluationAct.EXPORT, EvaluationAct.TIMES),",
        "a-published-evaluation-rescheduled",
    ),
    # -- core/numbers.py (numbers from outside, bounded where they enter) -------------------------
    Mutation("core/numbers.py", "INT_MAX = 2**31 - 1", "INT_MAX = 2**31", "int-max-one-past-int32"),
    Mutation("core/numbers.py", "INT_MIN = -(2**31)", "INT_MIN = -(2**31) - 1", "int-min-one-past-int32"),
    Mutation(
        "core/numbers.py",
        "return INT_MIN <= value <= INT_MAX",
        "return INT_MIN < value <= INT_MAX",
        "in-range-excludes-int-min",
    ),
    Mutation(
        "core/numbers.py",
        "return INT_MIN <= value <= INT_MAX",
        "return INT_MIN <= value < INT_MAX",
        "in-range-excludes-int-max",
    ),
    Mutation(
        "core/numbers.py",
        'digits = text[1:] if text.startswith("-") and minimum < 0 else text',
        'digits = text[1:] if text.startswith("-") else text',
        "a-minus-sign-read-where-no-negative-is-allowed",
    ),
    Mutation(
        "core/numbers.py",
        "if not digits or len(digits) > 10 or not (digits.isascii() and digits.isdigit()):",
        "if not digits or not (digits.isascii() and digits.isdigit()):",
        "no-length-cap-before-int",
    ),
    Mutation(
        "core/numbers.py",
        "if not digits or len(digits) > 10 or not (digits.isascii() and digits.isdigit()):",
        "if not digits or len(digits) > 10 or not digits.isdigit():",
        "other-scripts-digits-accepted",
    ),
    Mutation(
        "core/numbers.py",
        "return value if max(minimum, INT_MIN) <= value <= INT_MAX else None",
        "return value if INT_MIN <= value <= INT_MAX else None",
        "the-minimum-ignored",
    ),
    Mutation(
        "core/numbers.py",
        "return value if max(minimum, INT_MIN) <= value <= INT_MAX else None",
        "return value if max(minimum, INT_MIN) < value <= INT_MAX else None",
        "the-minimum-excluded",
    ),
    Mutation(
        "core/numbers.py",
        "return value if max(minimum, INT_MIN) <= value <= INT_MAX else None",
        "return value if max(minimum, INT_MIN) <= value else None",
        "parse-int-unbounded-above",
    ),
    # -- core/results.py (the stored form: a key dropped or renamed, a field not read back) -------
    Mutation(
        "core/results.py",
        'return None if rate is None else f"{rate.numerator}/{rate.denominator}"',
        "return None if rate is None else str(rate)",
        "a-whole-rate-stored-without-its-denominator",
    ),
    Mutation(
        "core/results.py",
        "return json.dumps(data, ensure_ascii=False)",
        "return json.dumps(data)",
        "results-stored-ascii-escaped",
    ),
    Mutation(
        "core/results.py",
        '"seats_left": self.seats_left,',
        '"seats": self.seats_left,',
        "seats-left-key-renamed",
    ),
    Mutation(
        "core/results.py",
        '            "invalid_ballots": self.invalid_ballots,\n',
        "",
        "invalid-ballots-key-dropped",
    ),
    Mutation(
        "core/results.py",
        'quorum_met=bool(data["quorum_met"]),',
        "quorum_met=True,",
        "quorum-met-not-read-back",
    ),
    Mutation(
        "core/results.py",
        'config_errors=tuple(str(error) for error in data["config_errors"]),',
        "config_errors=(),",
        "config-errors-not-read-back",
    ),
    Mutation(
        "core/results.py",
        'invalid_ballots=int(data["invalid_ballots"]),',
        "invalid_ballots=0,",
        "invalid-ballots-not-read-back",
    ),
    Mutation(
        "core/results.py",
        'Marks(int(marks["yes"]), int(marks["no"]), int(marks["abstain"]))',
        'Marks(int(marks["yes"]), int(marks["abstain"]), int(marks["no"]))',
        "no-and-abstain-swapped-on-reading",
    ),
    Mutation(
        "core/results.py",
        'ranking=tuple(data["ranking"]),',
        'ranking=tuple(sorted(data["ranking"])),',
        "ranking-order-not-read-back",
    ),
    Mutation("core/results.py", 'tied=tuple(data["tied"]),', "tied=(),", "tied-not-read-back"),
    Mutation(
        "core/results.py",
        'elected=tuple(data["elected"]),',
        'elected=tuple(data["elected"][:-1]),',
        "the-last-elected-lost-on-reading",
    ),
    Mutation(
        "core/results.py",
        '"electorate": self.electorate,',
        '"deputies": self.electorate,',
        "electorate-key-renamed",
    ),
    Mutation(
        "core/results.py",
        '"participation": rate_text(self.participation),',
        '"participation": rate_text(self.participation) or "0/1",',
        "no-electorate-stored-as-zero-participation",
    ),
    Mutation(
        "core/results.py",
        '                    "penalty": item.penalty,\n',
        "",
        "project-penalty-key-dropped",
    ),
    Mutation(
        "core/results.py",
        'penalty=bool(item["penalty"]),',
        "penalty=False,",
        "project-penalty-not-read-back",
    ),
    Mutation(
        "core/results.py",
        'tier=rate_of(item["tier"]),',
        "tier=None,",
        "project-tier-not-read-back",
    ),
    Mutation(
        "core/results.py",
        'satisfied_share=rate_of(item["satisfied_share"]),',
        'satisfied_share=rate_of(item["satisfaction"]),',
        "satisfied-share-read-from-satisfaction",
    ),
    Mutation(
        "core/results.py",
        '                        int(item["counts"]["basically_satisfied"]),\n'
        '                        int(item["counts"]["dissatisfied"]),\n',
        '                        int(item["counts"]["dissatisfied"]),\n'
        '                        int(item["counts"]["basically_satisfied"]),\n',
        "basically-satisfied-and-dissatisfied-swapped-on-reading",
    ),
    Mutation(
        "core/results.py",
        'for item in data.get("categories", ())',
        'for item in data["categories"]',
        "a-result-stored-before-categories-refused",
    ),
    Mutation(
        "core/results.py",
        '{"category": item.category, "satisfaction": rate_text(item.satisfaction)}',
        '{"category": item.category}',
        "category-satisfaction-key-dropped",
    ),
    Mutation(
        "core/results.py",
        '"points": item.points,',
        '"score": item.points,',
        "department-points-key-renamed",
    ),
    Mutation(
        "core/results.py",
        '                    complete=bool(item["complete"]),\n                    satisfaction=rate_of(item["satisfaction"]),\n                    points',
        '                    complete=True,\n                    satisfaction=rate_of(item["satisfaction"]),\n                    points',
        "department-completion-not-read-back",
    ),
    Mutation(
        "core/results.py",
        'penalties=tuple(str(pid) for pid in item["penalties"]),',
        "penalties=(),",
        "department-penalties-not-read-back",
    ),
    Mutation(
        "core/results.py",
        'tiers=tuple((str(pid), Fraction(tier)) for pid, tier in item["tiers"].items()),',
        "tiers=(),",
        "department-tiers-not-read-back",
    ),
    Mutation(
        "core/results.py",
        "except (KeyError, TypeError, ValueError, AttributeError) as error:",
        "except (KeyError, TypeError, ValueError) as error:",
        "a-wrong-shape-raises-attribute-error",
    ),
]


def copy_tree(destination: Path) -> None:
    """The project's files as git sees them (tracked, and new ones not ignored): no caches or data."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def run_tests(tree: Path, tests: list[str], verbose: bool) -> tuple[int, str]:
    env = dict(os.environ)
    # Subprocesses the tests start (`python -m bot ...`) must import the mutated copy too.
    env["PYTHONPATH"] = str(tree) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("HYPOTHESIS_PROFILE", "ci")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=1800)
    output = result.stdout + result.stderr
    if verbose:
        print(output)
    return result.returncode, output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--file", action="append", help="only the mutations of this rule file")
    parser.add_argument("--name", action="append", help="only the mutation of this name")
    parser.add_argument("--tests", nargs="+", help="run these tests instead of each file's own")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--verbose", action="store_true", help="print pytest's output for each mutant")
    args = parser.parse_args(argv)
    chosen = [
        m
        for m in MUTATIONS
        if (not args.file or m.file in args.file) and (not args.name or m.name in args.name)
    ]
    if args.list:
        for m in chosen:
            print(f"{m.file}\t{m.name}")
        return 0
    if not chosen:
        print("no mutation matches", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mutate-") as folder:
        tree = Path(folder)
        copy_tree(tree)
        # The unmutated tree must pass, or every mutant would look killed.
        for file in sorted({m.file for m in chosen}):
            code, output = run_tests(tree, args.tests or TESTS[file], False)
            if code != 0:
                print(f"the tests of {file} fail without any mutation:\n{output[-3000:]}", file=sys.stderr)
                return 2
        results: dict[str, list[tuple[str, str]]] = {}
        for m in chosen:
            path = tree / m.file
            source = path.read_text(encoding="utf-8")
            count = source.count(m.original)
            if count != 1:
                verdict = "STALE" if count == 0 else "AMBIGUOUS"
            else:
                path.write_text(source.replace(m.original, m.mutated), encoding="utf-8")
                started = time.monotonic()
                try:
                    code, output = run_tests(tree, args.tests or TESTS[m.file], args.verbose)
                finally:
                    path.write_text(source, encoding="utf-8")
                # 1: a test failed. 2-4: collection or usage error (the mutant broke an import):
                # also a loud failure, but say so.
                verdict = "SURVIVED" if code == 0 else "KILLED" if code == 1 else f"KILLED(error {code})"
                verdict += f" {time.monotonic() - started:.0f}s"
            results.setdefault(m.file, []).append((m.name, verdict))
            print(f"{verdict:<24} {m.file}  {m.name}", flush=True)
    print()
    total_killed = total = 0
    for file, items in results.items():
        killed = sum(v.startswith("KILLED") for _, v in items)
        total_killed += killed
        total += len(items)
        print(f"{file}: {killed}/{len(items)} killed")
    print(f"mutation score: {total_killed}/{total} killed ({100 * total_killed / total:.0f}%)")
    return 0 if total_killed == total else 1


if __name__ == "__main__":
    sys.exit(main())

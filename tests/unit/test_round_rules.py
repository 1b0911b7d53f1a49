"""core/rounds: the time rules, receipts, fingerprints and the selection round's lifecycle table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.rounds import (
    OPENING_GRACE,
    RECEIPT_BITS,
    RECEIPT_BYTES,
    SELECTION_LIFECYCLE,
    AdminAct,
    Opening,
    Refusal,
    Status,
    ballot_refusal,
    fingerprint,
    format_receipt,
    normalise_receipt,
    opening,
    receipt_digest,
    reminder_due,
    selection_actions,
)

T = datetime(2027, 1, 4, 17, 0, tzinfo=UTC)


def test_the_closing_moment_is_already_late() -> None:
    assert ballot_refusal("open", T, T - timedelta(microseconds=1)) is None
    assert ballot_refusal("open", T, T) is Refusal.LATE
    assert ballot_refusal("open", T, T + timedelta(seconds=25)) is Refusal.LATE
    assert ballot_refusal("closed", T, T - timedelta(hours=1)) is Refusal.CLOSED
    assert ballot_refusal("scheduled", T, T - timedelta(hours=1)) is Refusal.CLOSED


def test_a_missed_opening_is_not_opened_late() -> None:
    opens, closes = T - timedelta(hours=8), T
    assert opening(opens, closes, opens - timedelta(seconds=1)) is Opening.WAIT
    assert opening(opens, closes, opens) is Opening.OPEN
    assert opening(opens, closes, opens + OPENING_GRACE) is Opening.OPEN
    assert opening(opens, closes, opens + OPENING_GRACE + timedelta(seconds=1)) is Opening.MISSED
    assert opening(T - timedelta(minutes=5), T, T) is Opening.MISSED  # at its closing time


def test_reminders_fall_after_the_opening_only() -> None:
    day = timedelta(days=1)
    assert not reminder_due(T - timedelta(hours=3), T, day, T - timedelta(hours=3))  # 3 h round
    assert reminder_due(T - timedelta(hours=3), T, timedelta(hours=2), T - timedelta(hours=2))
    assert not reminder_due(T - timedelta(hours=3), T, timedelta(hours=2), T - timedelta(hours=2, seconds=1))
    assert not reminder_due(T - timedelta(days=2), T, day, T)  # at the closing: too late
    assert not reminder_due(T - day, T, day, T - day)  # exactly at the opening: not after it


def test_receipts_have_80_bits_and_read_back_loosely() -> None:
    assert RECEIPT_BITS >= 80 and RECEIPT_BYTES * 8 == RECEIPT_BITS
    assert format_receipt(bytes(RECEIPT_BYTES)) == "0000-0000-0000-0000"
    assert format_receipt(b"\xff" * RECEIPT_BYTES) == "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    with pytest.raises(ValueError):
        format_receipt(b"\x00" * 6)
    receipt = format_receipt(bytes(range(RECEIPT_BYTES)))
    assert normalise_receipt(receipt.lower().replace("-", " ")) == receipt
    assert normalise_receipt("oIl0-0000-0000-0000") == "0110-0000-0000-0000"
    key = "ab" * 32
    assert receipt_digest(key, receipt) == receipt_digest(key, receipt.lower())
    assert receipt_digest(key, receipt) != receipt_digest("cd" * 32, receipt)


def test_the_fingerprint_follows_the_choices() -> None:
    assert fingerprint(["c1", "c4"]) == fingerprint(["c1", "c4"])
    assert fingerprint(["c1", "c4"]) != fingerprint(["c1", "c4", "c7"])
    assert fingerprint({"c1": "yes"}) != fingerprint({"c1": "no"})
    assert len(fingerprint([])) == 8


def test_the_selection_lifecycle_table() -> None:
    assert [s.value for s in Status] == ["draft", "scheduled", "open", "closed", "published"]
    assert set(SELECTION_LIFECYCLE) == set(Status)
    assert all(AdminAct.SHOW in acts for acts in SELECTION_LIFECYCLE.values())
    assert selection_actions("open") == (
        AdminAct.SHOW,
        AdminAct.TURNOUT,
        AdminAct.PAPER,
        AdminAct.CHECK,
        AdminAct.CLOSE,
    )
    assert AdminAct.TURNOUT not in selection_actions("closed")  # never partial results
    assert selection_actions("draft", config_errors=True) == (AdminAct.SHOW, AdminAct.QUOTA)
    assert selection_actions("closed") == (AdminAct.SHOW, AdminAct.PUBLISH)
    assert selection_actions("closed", tied=True) == (AdminAct.SHOW, AdminAct.PUBLISH, AdminAct.RUNOFF)
    assert selection_actions("nonsense") == ()


def test_every_action_has_its_handler_function() -> None:
    from handlers.rounds import ADMIN_ACTIONS

    assert set(ADMIN_ACTIONS) == set(AdminAct)


def test_the_evaluation_lifecycle_table() -> None:
    from core.rounds import EVALUATION_LIFECYCLE, EvaluationAct, evaluation_actions
    from handlers.evaluations import EVALUATION_ACTIONS

    assert set(EVALUATION_LIFECYCLE) == set(Status)
    assert evaluation_actions("scheduled") == (EvaluationAct.SHOW, EvaluationAct.TIMES)
    assert evaluation_actions("open") == (EvaluationAct.SHOW, EvaluationAct.TURNOUT, EvaluationAct.CLOSE)
    assert EvaluationAct.EXPORT not in evaluation_actions("open")
    assert evaluation_actions("nonsense") == ()
    assert set(EVALUATION_ACTIONS) == set(EvaluationAct)


def test_a_round_is_due_to_close_from_its_closing_moment() -> None:
    """The clock closes a round at its closing time itself, the moment ballots start being late."""
    from core.rounds import closing_due

    assert not closing_due(T, T - timedelta(microseconds=1))
    assert closing_due(T, T)
    assert closing_due(T, T + timedelta(hours=1))
    assert not closing_due(None, T)  # no closing time: only an admin closes it


def test_a_receipt_is_the_number_in_crockford_base_32_most_significant_first() -> None:
    assert format_receipt(bytes(RECEIPT_BYTES - 1) + b"\x01") == "0000-0000-0000-0001"
    assert format_receipt(bytes(RECEIPT_BYTES - 1) + b"\x20") == "0000-0000-0000-0010"  # 32
    symbols = "".join(format_receipt(bytes(RECEIPT_BYTES - 1) + bytes([n]))[-1] for n in range(32))
    assert symbols == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U


def test_a_typed_u_reads_as_v() -> None:
    assert normalise_receipt("uuuu 0000 0000 000l") == "VVVV-0000-0000-0001"


def test_the_stored_digest_is_hmac_sha256_of_the_canonical_receipt() -> None:
    import hashlib
    import hmac

    key = "0f" * 32
    expected = hmac.new(bytes.fromhex(key), b"ABCD-EFGH-JKMN-PQRS", hashlib.sha256).hexdigest()
    assert receipt_digest(key, "abcd efgh jkmn pqrs") == expected
    assert len(expected) == 64


def test_the_fingerprint_ignores_the_order_choices_were_made_in() -> None:
    assert fingerprint({"c1": "yes", "c2": "no"}) == fingerprint({"c2": "no", "c1": "yes"})


def test_the_whole_selection_lifecycle() -> None:
    """Every status's actions, written out by hand: times only while a draft, paper ballots and
    turnout only while open, publication once closed, the export once published; a runoff from a
    closed or published round with a tie."""
    a = AdminAct
    assert selection_actions("draft") == (a.SHOW, a.QUOTA, a.TIMES)
    assert selection_actions("scheduled") == (a.SHOW,)
    assert selection_actions("open") == (a.SHOW, a.TURNOUT, a.PAPER, a.CHECK, a.CLOSE)
    assert selection_actions("closed", tied=True) == (a.SHOW, a.PUBLISH, a.RUNOFF)
    assert selection_actions("published") == (a.SHOW, a.EXPORT)
    assert selection_actions("published", tied=True) == (a.SHOW, a.EXPORT, a.RUNOFF)


def test_the_whole_evaluation_lifecycle() -> None:
    from core.rounds import EvaluationAct, evaluation_actions

    e = EvaluationAct
    assert evaluation_actions("draft") == (e.SHOW, e.TIMES)
    assert evaluation_actions("scheduled") == (e.SHOW, e.TIMES)
    assert evaluation_actions("open") == (e.SHOW, e.TURNOUT, e.CLOSE)
    assert evaluation_actions("closed") == (e.SHOW, e.PUBLISH, e.EXPORT)
    assert evaluation_actions("published") == (e.SHOW, e.EXPORT)

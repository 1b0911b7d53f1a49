"""Rules shared by selection rounds (项目票决) and evaluation rounds (效果票评): time, receipts.

Pure: the caller passes the clock's reading and the random bytes. DESIGN.md "Projects and rounds".

Time is the rule, not the scheduler's tick: a ballot, a rating or a paper entry counts only if it
is written while the round is open AND before its closing time, checked in the transaction that
writes it. A round whose opening moment passed while the bot was down is not opened late.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from enum import StrEnum

# How late after its opening time a round may still be opened by the clock (a few missed ticks);
# past this, the admins are told and may reschedule it.
OPENING_GRACE = timedelta(minutes=10)

# Receipts: 16 symbols of a 32-letter alphabet without 0/O, 1/I/L and U (Crockford's base 32),
# 5 bits each: 80 bits, typed as four groups of four.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_GROUPS = 4
RECEIPT_GROUP_SIZE = 4
RECEIPT_BITS = RECEIPT_GROUPS * RECEIPT_GROUP_SIZE * 5
RECEIPT_BYTES = RECEIPT_BITS // 8


class Refusal(StrEnum):
    """Why a ballot or rating is not accepted (codes for the messages)."""

    CLOSED = "closed"  # the round is not open (not yet, or closed)
    LATE = "late"  # the round is still marked open, but its closing time has passed
    NOT_ELECTOR = "not_elector"  # not in the electorate frozen at opening
    VOTED = "voted"


def ballot_refusal(status: str, closes_at: datetime | None, now: datetime) -> Refusal | None:
    """None when a ballot written at `now` counts. The closing moment itself is already late:
    a round "closing 17:00" accepts ballots up to 16:59:59.999."""
    if status != "open":
        return Refusal.CLOSED
    if closes_at is not None and now >= closes_at:
        return Refusal.LATE
    return None


class Opening(StrEnum):
    WAIT = "wait"
    OPEN = "open"
    MISSED = "missed"  # the moment passed (the bot was down): tell the admins, do not open


def opening(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> Opening:
    """Whether a scheduled round opens at `now`: from `opens_at` for OPENING_GRACE, and never
    at or after its closing time."""
    if opens_at is None or now < opens_at:
        return Opening.WAIT
    if now - opens_at > OPENING_GRACE or (closes_at is not None and now >= closes_at):
        return Opening.MISSED
    return Opening.OPEN


def closing_due(closes_at: datetime | None, now: datetime) -> bool:
    return closes_at is not None and now >= closes_at


def reminder_due(
    opened: datetime | None, closes_at: datetime | None, before: timedelta, now: datetime
) -> bool:
    """A reminder `before` the closing is due from that moment until the closing — but only if
    that moment falls after the opening: a round shorter than `before` gets no such reminder
    (the opening ballot was just sent)."""
    if opened is None or closes_at is None:
        return False
    moment = closes_at - before
    return moment > opened and moment <= now < closes_at


def format_receipt(random_bytes: bytes) -> str:
    """RECEIPT_BYTES random bytes -> "ABCD-EFGH-JKMN-PQRS" (80 bits)."""
    if len(random_bytes) != RECEIPT_BYTES:
        raise ValueError(f"a receipt needs {RECEIPT_BYTES} random bytes, got {len(random_bytes)}")
    number = int.from_bytes(random_bytes, "big")
    symbols = []
    for _ in range(RECEIPT_GROUPS * RECEIPT_GROUP_SIZE):
        number, index = divmod(number, 32)
        symbols.append(RECEIPT_ALPHABET[index])
    text = "".join(reversed(symbols))
    return "-".join(
        text[start : start + RECEIPT_GROUP_SIZE] for start in range(0, len(text), RECEIPT_GROUP_SIZE)
    )


_READ_AS = {"O": "0", "I": "1", "L": "1", "U": "V"}


def normalise_receipt(text: str) -> str:
    """What a person typed -> the canonical receipt: case, spaces and dashes do not matter, and
    the look-alikes O/I/L read as 0/1."""
    cleaned = "".join(_READ_AS.get(c, c) for c in text.upper() if c.isalnum())
    return "-".join(
        cleaned[start : start + RECEIPT_GROUP_SIZE] for start in range(0, len(cleaned), RECEIPT_GROUP_SIZE)
    )


def receipt_digest(key: str, receipt: str) -> str:
    """HMAC-SHA256 of the canonical receipt under the round's key (hex), as stored and published."""
    return hmac.new(bytes.fromhex(key), normalise_receipt(receipt).encode(), hashlib.sha256).hexdigest()


def fingerprint(choices: object) -> str:
    """A short hash (8 hex digits) of a ballot's choices as shown on the confirmation screen; the
    confirm button carries it, so a ballot changed after that screen is not cast unseen."""
    canonical = json.dumps(choices, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:8]


# -- lifecycles: statuses and the admin actions each allows (DESIGN.md "Projects and rounds") ------
class Status(StrEnum):
    """A round's status; the values are those stored and carried in callback data."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class AdminAct(StrEnum):
    """What an admin may do to a selection round (the `act` of its callback data, `ra:RID:ACT`)."""

    SHOW = "show"
    QUOTA = "quota"
    TIMES = "times"
    TURNOUT = "turnout"
    PAPER = "paper"
    CHECK = "check"
    CLOSE = "close"
    PUBLISH = "publish"
    RUNOFF = "runoff"
    EXPORT = "export"


# In the order the round card shows them. Turnout only while the vote runs: never partial results.
SELECTION_LIFECYCLE: dict[Status, tuple[AdminAct, ...]] = {
    Status.DRAFT: (AdminAct.SHOW, AdminAct.QUOTA, AdminAct.TIMES),
    Status.SCHEDULED: (AdminAct.SHOW,),
    Status.OPEN: (AdminAct.SHOW, AdminAct.TURNOUT, AdminAct.PAPER, AdminAct.CHECK, AdminAct.CLOSE),
    Status.CLOSED: (AdminAct.SHOW, AdminAct.PUBLISH, AdminAct.RUNOFF),
    Status.PUBLISHED: (AdminAct.SHOW, AdminAct.EXPORT, AdminAct.RUNOFF),
}


def selection_actions(
    status: str, *, config_errors: bool = False, tied: bool = False
) -> tuple[AdminAct, ...]:
    """The admin actions a selection round in `status` allows now: scheduling needs a valid
    configuration, a runoff needs a tie. An unknown status allows nothing."""
    try:
        allowed = SELECTION_LIFECYCLE[Status(status)]
    except ValueError:
        return ()
    return tuple(
        act
        for act in allowed
        if not (act is AdminAct.TIMES and config_errors) and not (act is AdminAct.RUNOFF and not tied)
    )


class EvaluationAct(StrEnum):
    """What an admin may do to an evaluation round (`ea:RID:ACT`)."""

    SHOW = "show"
    TIMES = "times"
    TURNOUT = "turnout"
    CLOSE = "close"
    PUBLISH = "publish"
    EXPORT = "export"


EVALUATION_LIFECYCLE: dict[Status, tuple[EvaluationAct, ...]] = {
    Status.DRAFT: (EvaluationAct.SHOW, EvaluationAct.TIMES),
    Status.SCHEDULED: (EvaluationAct.SHOW, EvaluationAct.TIMES),
    Status.OPEN: (EvaluationAct.SHOW, EvaluationAct.TURNOUT, EvaluationAct.CLOSE),
    Status.CLOSED: (EvaluationAct.SHOW, EvaluationAct.PUBLISH, EvaluationAct.EXPORT),
    Status.PUBLISHED: (EvaluationAct.SHOW, EvaluationAct.EXPORT),
}


def evaluation_actions(status: str) -> tuple[EvaluationAct, ...]:
    """The admin actions an evaluation round in `status` allows; an unknown status allows nothing."""
    try:
        return EVALUATION_LIFECYCLE[Status(status)]
    except ValueError:
        return ()

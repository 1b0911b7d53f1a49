"""A selection round's files for the office: the anonymous ballots and the results as CSV (through
the one export layer, bot/exports/tables.py), the Pabulib file, and the receipt hashes to publish.

Labels read in the language of the current i18n context (the asking admin's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple
from datetime import tzinfo

from aiogram.utils.i18n import gettext as _

from bot.db.models import CastBallot, RoundCandidate, SelectionRound
from bot.exports.pabulib import pabulib
from bot.exports.tables import to_csv
from bot.exports.texts import BALLOT_COLUMNS, ELECTED, RESULT_COLUMNS, TIED, headers, origin_label
from bot.presenters import category_name
from core.results import RoundResult


def ballots_csv(ballots: Sequence[CastBallot]) -> bytes:
    """The choices alone, in an order of their own: a receipt is never paired with its choices."""
    return to_csv(headers(BALLOT_COLUMNS), sorted((ballot.choices,) for ballot in ballots))


def results_csv(candidates: Sequence[RoundCandidate], result: RoundResult | None) -> bytes:
    """Per candidate: code, title, category, origin, the 赞成/反对/弃权 counts and the outcome
    (blank counts for a round not counted)."""
    counts = result.counts if result else {}
    elected, tied = (set(result.elected), set(result.tied)) if result else (set(), set())
    result_rows = [
        (
            c.code,
            c.title,
            category_name(c.category),
            origin_label(c.origin),
            *(astuple(counts[c.code]) if c.code in counts else ("", "", "")),  # yes, no, abstain
            _(ELECTED) if c.code in elected else _(TIED) if c.code in tied else "",
        )
        for c in candidates
    ]
    return to_csv(headers(RESULT_COLUMNS), result_rows)


def round_files(
    round_: SelectionRound,
    candidates: list[RoundCandidate],
    ballots: list[CastBallot],
    result: RoundResult | None,
    receipts: list[str],
    *,
    unit: str,
    tz: tzinfo,
) -> list[tuple[bytes, str]]:
    """(content, file name) of each file the round's export sends, in the order it sends them."""
    stem = f"round-{round_.id}"
    return [
        (ballots_csv(ballots), f"{stem}-ballots.csv"),
        (results_csv(candidates, result), f"{stem}-results.csv"),
        (pabulib(round_, candidates, ballots, result, unit=unit, tz=tz).encode("utf-8"), f"{stem}.pb"),
        ("\n".join(receipts).encode("utf-8") + b"\n", f"{stem}-receipts.txt"),
    ]

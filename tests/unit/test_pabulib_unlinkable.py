"""The Pabulib file lists votes in an order of their own: never in the order of the receipts."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

from bot.db.models import CastBallot, RoundCandidate, SelectionRound
from bot.exports.pabulib import pabulib


def votes_of(text: str) -> list[str]:
    return text.split("VOTES\n", 1)[1].splitlines()[1:]


def test_the_votes_do_not_follow_the_receipts() -> None:
    round_ = SelectionRound(
        id=1,
        year=2027,
        title="2027年民生实事项目票决",
        mode="approval",
        quota=2,
        electorate=3,
        status="published",
        opened_at=datetime(2026, 12, 1, tzinfo=UTC),
        closed_at=datetime(2026, 12, 3, tzinfo=UTC),
    )
    candidates = [
        RoundCandidate(round_id=1, code=code, title=f"项目{code}", category="eldercare")
        for code in ("c1", "c2", "c3")
    ]
    # Ballots come from the database in receipt-hash order, the order of the published receipts.
    ballots = [
        CastBallot(receipt_hash=f"{n:064x}", round_id=1, choices=json.dumps(choices))
        for n, choices in enumerate((["c3"], ["c1", "c2"], ["c2"]))
    ]
    files = {pabulib(round_, candidates, list(order), None) for order in itertools.permutations(ballots)}
    assert len(files) == 1  # the same file whatever order the ballots came in
    assert votes_of(files.pop()) == ["1;c1,c2", "2;c2", "3;c3"]

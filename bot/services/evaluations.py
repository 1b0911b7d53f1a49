"""Evaluation rounds (效果票评): deputies rate the year's projects; the office gets the scores.

Ratings are secret like ballots: the submitted ratings are stored under a receipt hash (HMAC
under the round's key), with no deputy; a separate row marks that the deputy has rated. Both are
written in one savepoint, so a double click or a second device cannot rate twice.

As for selection rounds (bot/services/rounds.py): rating and submitting lock the round's row and
compare the clock with `closes_at` in the writing transaction; only the electorate frozen at
opening (`evaluation_electors`) rates; the closing counts under the same lock, then rewrites the
box in random order and deletes the drafts.
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    Deputy,
    EvaluationBallot,
    EvaluationDraft,
    EvaluationElector,
    EvaluationRound,
    EvaluationVoter,
    Project,
    User,
)
from bot.runtime.clock import Clock
from bot.services.rounds import active_deputies, freeze_electorate, lock_row, new_receipt, receipt_hash
from core.consequences import evaluation_result
from core.results import EvaluationResult
from core.rounds import (
    Opening,
    ballot_refusal,
    closing_due,
    fingerprint,
    opening,
    receipt_digest,
    reminder_due,
)
from core.scoring import RATINGS, Thresholds, score
from core.scoring import Project as ScoredProject

REMINDER_BEFORE = timedelta(hours=24)


class RatingRefused(Exception):
    def __init__(self, reason: str) -> None:  # closed, late, rated, not_deputy, not_elector, changed
        super().__init__(reason)
        self.reason = reason


@dataclass
class DueEvaluations:
    to_open: list[EvaluationRound]
    to_close: list[EvaluationRound]
    reminders: list[EvaluationRound]
    missed: list[EvaluationRound]


def evaluation_digest(round_: EvaluationRound, receipt: str) -> str:
    if round_.receipt_key is None:  # opened before per-round keys (revision 0008)
        return receipt_hash(-(round_.id or 0), receipt.strip().upper())
    return receipt_digest(round_.receipt_key, receipt)


def complete(project: Project) -> bool:
    """Complete: 100% and marked done by its department."""
    return project.percent >= 100 and project.done_at is not None


class EvaluationService:
    def __init__(
        self, session: AsyncSession, clock: Clock, thresholds: Thresholds, points: dict[str, int]
    ) -> None:
        self.session = session
        self.clock = clock
        self.thresholds = thresholds
        self.points = points

    # -- the round ---------------------------------------------------------------------------
    async def create(self, year: int, admin: User) -> EvaluationRound:
        round_ = EvaluationRound(
            year=year,
            title=f"{year}",
            status="draft",
            created_by=admin.id,  # type: ignore[arg-type]
            created_at=self.clock.now(),
        )
        self.session.add(round_)
        await self.session.flush()
        return round_

    async def get(self, round_id: int) -> EvaluationRound | None:
        return await self.session.get(EvaluationRound, round_id)

    async def recent(self, limit: int = 10) -> list[EvaluationRound]:
        rows = await self.session.exec(
            select(EvaluationRound).order_by(col(EvaluationRound.id).desc()).limit(limit)
        )
        return list(rows.all())

    async def projects(self, round_: EvaluationRound) -> list[Project]:
        rows = await self.session.exec(
            select(Project).where(Project.year == round_.year).order_by(col(Project.id))
        )
        return list(rows.all())

    async def schedule(self, round_: EvaluationRound, opens: datetime, closes: datetime) -> None:
        round_.opens_at, round_.closes_at, round_.status = opens, closes, "scheduled"

    async def _advance(self, round_: EvaluationRound, was: str, to: str, **values: object) -> bool:
        """Compare-and-set on the status: of two schedulers, one does the work."""
        result = await self.session.exec(
            update(EvaluationRound)
            .where(col(EvaluationRound.id) == round_.id, col(EvaluationRound.status) == was)
            .values(status=to, **values)  # type: ignore[call-overload]
        )
        if result.rowcount != 1:
            return False
        await self.session.refresh(round_)
        return True

    async def due(self, now: datetime) -> DueEvaluations:
        rows = list(
            (
                await self.session.exec(
                    select(EvaluationRound).where(col(EvaluationRound.status).in_(("scheduled", "open")))
                )
            ).all()
        )
        scheduled = [r for r in rows if r.status == "scheduled"]
        return DueEvaluations(
            to_open=[r for r in scheduled if opening(r.opens_at, r.closes_at, now) is Opening.OPEN],
            to_close=[r for r in rows if r.status == "open" and closing_due(r.closes_at, now)],
            reminders=[
                r
                for r in rows
                if r.status == "open" and reminder_due(r.opened_at, r.closes_at, REMINDER_BEFORE, now)
            ],
            missed=[r for r in scheduled if opening(r.opens_at, r.closes_at, now) is Opening.MISSED],
        )

    async def open(self, round_: EvaluationRound) -> bool:
        """Opens the round and freezes its electorate (the deputies active now)."""
        rows = await active_deputies(self.session)
        opened = await self._advance(
            round_,
            "scheduled",
            "open",
            opened_at=self.clock.now(),
            electorate=len(rows),
            receipt_key=secrets.token_hex(32),
        )
        if not opened:
            return False
        await freeze_electorate(self.session, EvaluationElector, round_.id, rows)
        return True

    async def miss(self, round_: EvaluationRound) -> bool:
        """The opening passed while the bot was down: back to draft, for new times."""
        return await self._advance(round_, "scheduled", "draft")

    async def is_elector(self, round_: EvaluationRound, deputy: Deputy) -> bool:
        return await self.session.get(EvaluationElector, (round_.id, deputy.id)) is not None

    async def electors(self, round_: EvaluationRound) -> list[tuple[Deputy, User | None]]:
        rows = await self.session.exec(
            select(Deputy, User)
            .join(EvaluationElector, col(EvaluationElector.deputy_id) == Deputy.id)
            .outerjoin(User, col(User.telegram_id) == Deputy.telegram_id)
            .where(EvaluationElector.round_id == round_.id)
            .order_by(col(Deputy.id))
        )
        return list(rows.all())

    async def close(self, round_: EvaluationRound, *, by_clock: bool = False) -> bool:
        """Counts under the round's lock (no submission slips in between), then rewrites the box
        in random order and deletes the drafts. `by_clock`: only once closes_at has passed."""
        await lock_row(self.session, EvaluationRound, round_.id)
        if round_.status != "open" or (by_clock and not closing_due(round_.closes_at, self.clock.now())):
            return False
        result = (await self.compute(round_)).to_json()
        rows = list(
            (
                await self.session.exec(
                    select(EvaluationBallot.receipt_hash, EvaluationBallot.ratings).where(
                        EvaluationBallot.round_id == round_.id
                    )
                )
            ).all()
        )
        random.SystemRandom().shuffle(rows)
        await self.session.exec(delete(EvaluationBallot).where(col(EvaluationBallot.round_id) == round_.id))  # type: ignore[call-overload]
        if rows:
            await self.session.exec(
                insert(EvaluationBallot),  # type: ignore[call-overload]
                params=[{"receipt_hash": h, "round_id": round_.id, "ratings": r} for h, r in rows],
            )
        await self.session.exec(delete(EvaluationDraft).where(col(EvaluationDraft.round_id) == round_.id))  # type: ignore[call-overload]
        return await self._advance(round_, "open", "closed", closed_at=self.clock.now(), result=result)

    async def admit(self, round_: EvaluationRound, deputy: Deputy) -> None:
        """Locks the round; RatingRefused unless `deputy` may rate in it now."""
        await lock_row(self.session, EvaluationRound, round_.id)
        refusal = ballot_refusal(round_.status, round_.closes_at, self.clock.now())
        if refusal is not None:
            raise RatingRefused(refusal.value)
        if not await self.is_elector(round_, deputy):
            raise RatingRefused("not_elector")
        if await self.has_rated(round_, deputy):
            raise RatingRefused("rated")

    async def publish(self, round_: EvaluationRound) -> bool:
        return await self._advance(round_, "closed", "published")

    # -- rating ------------------------------------------------------------------------------
    async def draft(self, round_: EvaluationRound, deputy: Deputy) -> dict[str, str]:
        found = await self._draft_row(round_, deputy)
        return json.loads(found.ratings) if found else {}

    async def _draft_row(self, round_: EvaluationRound, deputy: Deputy) -> EvaluationDraft | None:
        rows = await self.session.exec(
            select(EvaluationDraft).where(
                EvaluationDraft.round_id == round_.id, EvaluationDraft.deputy_id == deputy.id
            )
        )
        return rows.first()

    async def rate(
        self, round_: EvaluationRound, deputy: Deputy, project_id: int, rating: str | None
    ) -> dict[str, str]:
        if rating is not None and rating not in RATINGS:
            raise ValueError(rating)
        await self.admit(round_, deputy)
        found = await self._draft_row(round_, deputy)
        if found is None:
            found = EvaluationDraft(round_id=round_.id, deputy_id=deputy.id, ratings="{}")  # type: ignore[arg-type]
            self.session.add(found)
        ratings = json.loads(found.ratings)
        if rating is None or ratings.get(str(project_id)) == rating:
            ratings.pop(str(project_id), None)  # pressing the chosen rating again takes it back
        else:
            ratings[str(project_id)] = rating
        found.ratings = json.dumps(ratings)
        await self.session.flush()
        return ratings

    async def has_rated(self, round_: EvaluationRound, deputy: Deputy) -> bool:
        rows = await self.session.exec(
            select(EvaluationVoter).where(
                EvaluationVoter.round_id == round_.id, EvaluationVoter.deputy_id == deputy.id
            )
        )
        return rows.first() is not None

    async def submit(self, round_: EvaluationRound, deputy: Deputy, fp: str) -> str:
        """Stores the deputy's ratings without their identity and marks them as having rated;
        returns the receipt code (only its hash is kept).

        `fp` is the fingerprint of the ratings the review screen showed. The round row is locked
        (`admit`) before the draft is read, so a rating press cannot slip in between: if the draft
        differs from what was reviewed (another message, another device), RatingRefused("changed")
        and nothing is stored (DESIGN.md, 效果票评: a deputy submits what they reviewed, once)."""
        await self.admit(round_, deputy)
        ratings = await self.draft(round_, deputy)
        if fingerprint(ratings) != fp:
            raise RatingRefused("changed")
        receipt = new_receipt()
        try:
            async with self.session.begin_nested():
                self.session.add(
                    EvaluationVoter(round_id=round_.id, deputy_id=deputy.id, rated_at=self.clock.now())  # type: ignore[arg-type]
                )
                await self.session.flush()
        except IntegrityError:
            raise RatingRefused("rated") from None
        self.session.add(
            EvaluationBallot(
                receipt_hash=evaluation_digest(round_, receipt),
                round_id=round_.id,  # type: ignore[arg-type]
                ratings=json.dumps(ratings, sort_keys=True),
            )
        )
        draft = await self._draft_row(round_, deputy)
        if draft is not None:
            await self.session.delete(draft)
        await self.session.flush()
        return receipt

    async def check(self, round_: EvaluationRound, receipt: str) -> dict[str, str] | None:
        found = await self.session.get(EvaluationBallot, evaluation_digest(round_, receipt))
        return json.loads(found.ratings) if found and found.round_id == round_.id else None

    async def find_receipt(self, receipt: str) -> EvaluationRound | None:
        """The published evaluation round a receipt belongs to, if any."""
        published = await self.session.exec(
            select(EvaluationRound).where(EvaluationRound.status == "published")
        )
        for round_ in published.all():
            if await self.session.get(EvaluationBallot, evaluation_digest(round_, receipt)) is not None:
                return round_
        return None

    async def voters(self, round_: EvaluationRound) -> int:
        rows = await self.session.exec(
            select(func.count()).select_from(EvaluationVoter).where(EvaluationVoter.round_id == round_.id)
        )
        return rows.one()

    async def not_rated(self, round_: EvaluationRound) -> list[User]:
        """The electors who have not rated and can be reached in chat."""
        done = select(EvaluationVoter.deputy_id).where(EvaluationVoter.round_id == round_.id)
        rows = await self.session.exec(
            select(User)
            .join(Deputy, col(Deputy.telegram_id) == User.telegram_id)
            .join(EvaluationElector, col(EvaluationElector.deputy_id) == Deputy.id)
            .where(
                EvaluationElector.round_id == round_.id, col(Deputy.id).not_in(done), ~col(User.is_blocked)
            )
            .order_by(col(Deputy.id))
        )
        return list(rows.all())

    async def deputies(self, round_: EvaluationRound | None = None) -> list[User]:
        """The chats of the round's electorate (of the active deputies when no round is given)."""
        query = select(User).join(Deputy, col(Deputy.telegram_id) == User.telegram_id)
        if round_ is not None:
            query = query.join(EvaluationElector, col(EvaluationElector.deputy_id) == Deputy.id).where(
                EvaluationElector.round_id == round_.id
            )
        else:
            query = query.where(Deputy.is_active)
        rows = await self.session.exec(query.where(~col(User.is_blocked)).order_by(col(Deputy.id)))
        return list(rows.all())

    # -- results -----------------------------------------------------------------------------
    async def compute(self, round_: EvaluationRound) -> EvaluationResult:
        """The round's result from the ballots in its box (ratings of projects no longer in the
        year are ignored) and the voters who submitted: core.consequences.evaluation_result."""
        projects = await self.projects(round_)
        ballots = (
            await self.session.exec(select(EvaluationBallot).where(EvaluationBallot.round_id == round_.id))
        ).all()
        known = {str(p.id) for p in projects}
        ratings = [
            (project_id, rating)
            for ballot in ballots
            for project_id, rating in json.loads(ballot.ratings).items()
            if project_id in known
        ]
        scored = score(
            [ScoredProject(str(p.id), p.department, p.category, complete(p)) for p in projects],
            ratings,
            self.thresholds,
        )
        names = {str(p.id): p.name for p in projects}
        voters = await self.voters(round_)
        return evaluation_result(scored, names, voters, round_.electorate or 0, self.points)

    @staticmethod
    def result_of(round_: EvaluationRound) -> EvaluationResult | None:
        """The result stored at closing (core.results); None before the round is closed."""
        return EvaluationResult.from_json(round_.result) if round_.result else None

"""Selection rounds in the bot: candidates, scheduling, secret ballots, closing, publishing.

The rules themselves (margin, ballot validity, quorum, ties) are core/tally's, time and receipts
core/rounds'; this service keeps the records.

- Time: a cast, a paper entry and the closing lock the round's row and compare the clock with
  `closes_at` in the transaction that writes (PostgreSQL: SELECT … FOR UPDATE; SQLite: every
  transaction holds the single write lock from BEGIN IMMEDIATE). A cast waiting behind a closing
  sees the round closed and is refused: every receipt handed out is counted.
- Electorate: `round_electors`, frozen at opening; only they vote, turnout counts against them.
- Secrecy: `round_voters` says who has voted, `ballots` holds what was voted, keyed by an HMAC of a
  receipt only the voter knows (per-round key). At closing the box is rewritten in a random order
  in one transaction, so neither row order (rowid, ctid) nor transaction ids (xmin) pair it with
  the has-voted marks; drafts and unchecked paper entries are deleted.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    BallotDraft,
    CandidateItem,
    CastBallot,
    Deputy,
    PaperEntry,
    RoundCandidate,
    RoundElector,
    RoundReminder,
    RoundVoter,
    SelectionRound,
    Suggestion,
    User,
)
from bot.db.upsert import insert_ignoring_conflicts
from bot.runtime.clock import Clock
from bot.services.suggestions import SuggestionService
from core.results import RoundResult
from core.roles import Role
from core.rounds import (
    RECEIPT_BYTES,
    Opening,
    ballot_refusal,
    closing_due,
    fingerprint,
    format_receipt,
    opening,
    reminder_due,
)
from core.rounds import receipt_digest as keyed_digest
from core.tally import Ballot, Candidate, Mode, Problem, Round, ballot_problem, round_problems, tally
from core.workflow import Action, State

# Reminders to deputies who have not voted, by how long before the round closes.
REMINDERS = {"day": timedelta(days=1), "two_hours": timedelta(hours=2)}
PRE_REVIEW = timedelta(days=7)


class BallotRefused(Exception):
    """`code`: closed, late (closing time passed), not_elector, voted, pending, same_admin,
    checked (a paper entry another admin checked first), invalid (with the rule broken in `reason`)."""

    def __init__(self, code: str, reason: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Due:
    to_open: list[SelectionRound]
    to_close: list[SelectionRound]
    reminders: list[tuple[SelectionRound, str]]
    pre_reviews: list[SelectionRound]
    missed: list[SelectionRound] = ()  # type: ignore[assignment]  # opening passed while down


def receipt_hash(round_id: int, receipt: str) -> str:
    """The hash of rounds opened before per-round keys existed (revision 0008)."""
    return hashlib.sha256(f"{round_id}:{receipt}".encode()).hexdigest()


def digest_of(round_id: int, key: str | None, receipt: str) -> str:
    """The stored and published hash of a receipt: HMAC under the round's key."""
    if key is None:
        return receipt_hash(round_id, receipt.strip().upper())
    return keyed_digest(key, receipt)


def new_receipt() -> str:
    return format_receipt(secrets.token_bytes(RECEIPT_BYTES))


async def lock_row(session: AsyncSession, model: type, row_id: int | None):  # type: ignore[no-untyped-def]
    """The row, reloaded and locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite
    ignores the clause: its transactions already hold the one write lock from BEGIN)."""
    query = (
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE: inserts referring to it go on
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).one()


async def active_deputies(session: AsyncSession) -> list[tuple[Deputy, User | None]]:
    """The deputies active now, each with their chat (None: never started the bot)."""
    rows = await session.exec(
        select(Deputy, User)
        .outerjoin(User, col(User.telegram_id) == Deputy.telegram_id)
        .where(Deputy.is_active)
        .order_by(col(Deputy.id))
    )
    return list(rows.all())


async def freeze_electorate(
    session: AsyncSession, electors: type, round_id: int | None, deputies: list[tuple[Deputy, User | None]]
) -> None:
    """One row of `electors` (RoundElector, EvaluationElector) a deputy, with whether a chat
    message can reach them, as the round opens."""
    if deputies:
        await session.exec(
            insert(electors),  # type: ignore[call-overload]
            params=[
                {"round_id": round_id, "deputy_id": d.id, "reachable": u is not None and not u.is_blocked}
                for d, u in deputies
            ],
        )
    await session.flush()


class RoundService:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        suggestions: SuggestionService,
        special_min_share: float = 0.0,
    ) -> None:
        self.session = session
        self.clock = clock
        self.suggestions = suggestions
        self.special_min_share = special_min_share
        self._candidates: dict[int, tuple[RoundCandidate, ...]] = {}

    # -- candidates ---------------------------------------------------------------------------
    async def add_item(
        self,
        year: int,
        title: str,
        category: str,
        origin: str,
        suggestion_id: int | None = None,
        department: str | None = None,
        estimated_cost: str | None = None,
    ) -> CandidateItem:
        item = CandidateItem(
            year=year,
            title=title[:200],
            category=category,
            origin=origin,
            suggestion_id=suggestion_id,
            department=department,
            estimated_cost=estimated_cost,
            created_at=self.clock.now(),
        )
        self.session.add(item)
        await self.session.flush()
        return item

    async def put_special_item(
        self, year: int, title: str, category: str, department: str | None, estimated_cost: str | None
    ) -> str:
        """A 特定征集 item keyed by (year, title): "added", "updated", "unchanged", or why not."""
        found = (
            await self.session.exec(
                select(CandidateItem).where(CandidateItem.year == year, CandidateItem.title == title)
            )
        ).first()
        if found is None:
            await self.add_item(year, title, category, "special", None, department, estimated_cost)
            return "added"
        if found.origin != "special":
            return f"{title!r} is already a candidate item of {year} from residents' suggestions"
        wanted = {"category": category, "department": department, "estimated_cost": estimated_cost}
        if all(getattr(found, key) == value for key, value in wanted.items()):
            return "unchanged"
        for key, value in wanted.items():
            setattr(found, key, value)
        self.session.add(found)
        await self.session.flush()
        return "updated"

    async def items(self, year: int) -> list[CandidateItem]:
        rows = await self.session.exec(
            select(CandidateItem)
            .where(CandidateItem.year == year)
            .order_by(col(CandidateItem.category), col(CandidateItem.id))
        )
        return list(rows.all())

    async def candidates(self, round_: SelectionRound) -> list[RoundCandidate]:
        """The round's candidates, read once per service (they never change once created)."""
        cached = self._candidates.get(round_.id)  # type: ignore[arg-type]
        if cached is not None:
            return list(cached)
        rows = await self.session.exec(
            select(RoundCandidate)
            .where(RoundCandidate.round_id == round_.id)
            .order_by(col(RoundCandidate.id))
        )
        found = list(rows.all())
        if found:
            self._candidates[round_.id] = tuple(found)  # type: ignore[index]
        return found

    # -- the round's life -------------------------------------------------------------------------
    async def create(
        self,
        admin: User,
        year: int,
        title: str,
        mode: Mode,
        quota: int,
        items: list[CandidateItem],
        parent: SelectionRound | None = None,
    ) -> SelectionRound:
        round_ = SelectionRound(
            year=year,
            title=title[:200],
            mode=mode.value,
            quota=quota,
            status="draft",
            parent_id=parent.id if parent else None,
            created_by=admin.id,  # type: ignore[arg-type]
            created_at=self.clock.now(),
        )
        self.session.add(round_)
        await self.session.flush()
        for number, item in enumerate(items, start=1):
            self.session.add(
                RoundCandidate(
                    round_id=round_.id,
                    code=f"c{number}",
                    item_id=item.id,  # type: ignore[arg-type]
                    title=item.title,
                    category=item.category,
                    origin=item.origin,
                )
            )
        await self.session.flush()
        return round_

    def _core(
        self, round_: SelectionRound, candidates: list[RoundCandidate], electorate: int | None = None
    ) -> Round:
        return Round(
            Mode(round_.mode),
            round_.quota,
            electorate or round_.electorate or 1,
            tuple(Candidate(c.code, c.category) for c in candidates),
            runoff=round_.parent_id is not None,
        )

    async def check(self, round_: SelectionRound) -> list[Problem]:
        """core/tally's configuration check, plus the office's minimum share of 特定征集 items."""
        candidates = await self.candidates(round_)
        problems = round_problems(self._core(round_, candidates, electorate=1))
        if self.special_min_share and candidates:
            special = sum(1 for c in candidates if c.origin == "special")
            if special < self.special_min_share * len(candidates):
                problems.append(
                    Problem(
                        "special_share",
                        {"special": special, "count": len(candidates), "share": self.special_min_share},
                        f"特定征集 items are {special} of {len(candidates)}; at least {self.special_min_share:.0%} are required",
                    )
                )
        return problems

    async def set_quota(self, round_: SelectionRound, quota: int) -> None:
        round_.quota = quota
        self.session.add(round_)

    async def schedule(self, round_: SelectionRound, opens_at: datetime, closes_at: datetime) -> None:
        round_.opens_at, round_.closes_at, round_.status = opens_at, closes_at, "scheduled"
        self.session.add(round_)

    async def electors(self, round_: SelectionRound) -> list[tuple[Deputy, User | None]]:
        """The electorate frozen at opening, with each deputy's chat (None: never started the bot)."""
        rows = await self.session.exec(
            select(Deputy, User)
            .join(RoundElector, col(RoundElector.deputy_id) == Deputy.id)
            .outerjoin(User, col(User.telegram_id) == Deputy.telegram_id)
            .where(RoundElector.round_id == round_.id)
            .order_by(col(Deputy.id))
        )
        return list(rows.all())

    async def is_elector(self, round_: SelectionRound, deputy: Deputy) -> bool:
        return await self.session.get(RoundElector, (round_.id, deputy.id)) is not None

    @staticmethod
    def unreachable(deputies: list[tuple[Deputy, User | None]]) -> list[Deputy]:
        """Who cannot get a ballot in chat: never started the bot, or blocked it."""
        return [deputy for deputy, user in deputies if user is None or user.is_blocked]

    async def active_deputies(self) -> list[tuple[Deputy, User | None]]:
        return await active_deputies(self.session)

    async def _advance(self, round_: SelectionRound, was: str, to: str, **values: object) -> bool:
        """Compare-and-set on the status: of two schedulers (replicas, restarts) one does the work."""
        result = await self.session.exec(
            update(SelectionRound)
            .where(col(SelectionRound.id) == round_.id, col(SelectionRound.status) == was)
            .values(status=to, **values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        round_.status = to
        for key, value in values.items():
            setattr(round_, key, value)
        return True

    async def open(self, round_: SelectionRound) -> bool:
        """Opens the round and freezes its electorate: the deputies active now. False when another
        scheduler opened it first."""
        deputies = await self.active_deputies()
        opened = await self._advance(
            round_,
            round_.status if round_.status in ("draft", "scheduled") else "scheduled",
            "open",
            opened_at=self.clock.now(),
            electorate=len(deputies),
            receipt_key=secrets.token_hex(32),
        )
        if not opened:
            return False
        await freeze_electorate(self.session, RoundElector, round_.id, deputies)
        return True

    async def miss(self, round_: SelectionRound) -> bool:
        """A scheduled round whose opening passed unnoticed goes back to draft, for the admins to
        set new times. True for the first caller only."""
        return await self._advance(round_, "scheduled", "draft")

    async def due(self, now: datetime) -> Due:
        scheduled = (
            await self.session.exec(select(SelectionRound).where(SelectionRound.status == "scheduled"))
        ).all()
        opened = (
            await self.session.exec(select(SelectionRound).where(SelectionRound.status == "open"))
        ).all()
        sent = {(r.round_id, r.kind) for r in (await self.session.exec(select(RoundReminder))).all()}
        reminders = [
            (round_, kind)
            for round_ in opened
            for kind, before in REMINDERS.items()
            if reminder_due(round_.opened_at, round_.closes_at, before, now) and (round_.id, kind) not in sent
        ]
        pre = [
            r
            for r in scheduled
            if r.opens_at
            and r.opens_at - PRE_REVIEW <= now
            and opening(r.opens_at, r.closes_at, now) is Opening.WAIT
            and (r.id, "pre_review") not in sent
        ]
        return Due(
            to_open=[r for r in scheduled if opening(r.opens_at, r.closes_at, now) is Opening.OPEN],
            to_close=[r for r in opened if closing_due(r.closes_at, now)],
            reminders=reminders,
            pre_reviews=pre,
            missed=[r for r in scheduled if opening(r.opens_at, r.closes_at, now) is Opening.MISSED],
        )

    async def claim_notice(self, round_: SelectionRound, kind: str) -> bool:
        """True for the first caller only: a reminder is sent once, whoever runs the job."""
        result = await self.session.exec(
            insert_ignoring_conflicts(
                self.session,
                RoundReminder,
                {  # type: ignore[call-overload]
                    "round_id": round_.id,
                    "kind": kind,
                    "sent_at": self.clock.now(),
                },
            )
        )
        return result.rowcount == 1

    # -- ballots ----------------------------------------------------------------------------------
    async def draft(self, round_: SelectionRound, deputy: Deputy) -> dict:
        found = (
            await self.session.exec(
                select(BallotDraft).where(
                    BallotDraft.round_id == round_.id, BallotDraft.deputy_id == deputy.id
                )
            )
        ).first()
        return json.loads(found.choices) if found else {}

    async def save_draft(self, round_: SelectionRound, deputy: Deputy, choices: dict) -> None:
        found = (
            await self.session.exec(
                select(BallotDraft).where(
                    BallotDraft.round_id == round_.id, BallotDraft.deputy_id == deputy.id
                )
            )
        ).first() or BallotDraft(round_id=round_.id, deputy_id=deputy.id)  # type: ignore[arg-type]
        found.choices = json.dumps(choices, sort_keys=True)
        self.session.add(found)

    def ballot_of(self, round_: SelectionRound, choices: dict) -> Ballot:
        if Mode(round_.mode) is Mode.APPROVAL:
            return Ballot(approve=tuple(sorted(code for code, chosen in choices.items() if chosen)))
        return Ballot(marks=dict(choices))

    def fingerprint(self, round_: SelectionRound, choices: dict) -> str:
        """core.rounds.fingerprint of the ballot these choices make (what the confirm screen shows)."""
        ballot = self.ballot_of(round_, choices)
        approval = Mode(round_.mode) is Mode.APPROVAL
        return fingerprint(list(ballot.approve) if approval else dict(ballot.marks))

    async def problem(self, round_: SelectionRound, choices: dict) -> str | None:
        return ballot_problem(
            self._core(round_, await self.candidates(round_)), self.ballot_of(round_, choices)
        )

    async def has_voted(self, round_: SelectionRound, deputy: Deputy) -> bool:
        found = await self.session.exec(
            select(RoundVoter.id).where(RoundVoter.round_id == round_.id, RoundVoter.deputy_id == deputy.id)
        )
        return found.first() is not None

    async def admit(self, round_: SelectionRound, deputy: Deputy, *, check_voted: bool = True) -> None:
        """Locks the round and raises BallotRefused unless `deputy` may vote in it right now
        (open, before closes_at by the clock, in the frozen electorate, not voted)."""
        await lock_row(self.session, SelectionRound, round_.id)
        refusal = ballot_refusal(round_.status, round_.closes_at, self.clock.now())
        if refusal is not None:
            raise BallotRefused(refusal.value)
        if not await self.is_elector(round_, deputy):
            raise BallotRefused("not_elector")
        if check_voted and await self.has_voted(round_, deputy):
            raise BallotRefused("voted")

    async def cast(self, round_: SelectionRound, deputy: Deputy, choices: dict, channel: str = "chat") -> str:
        """Records the ballot and the has-voted mark together, in the transaction that locked the
        round and checked the time; returns the receipt code (80 bits; only its HMAC is kept)."""
        await self.admit(round_, deputy, check_voted=False)  # the has-voted mark's key says it below
        problem = await self.problem(round_, choices)
        if problem is not None:
            raise BallotRefused("invalid", problem)
        receipt = new_receipt()
        ballot = self.ballot_of(round_, choices)
        try:
            async with self.session.begin_nested():
                self.session.add(
                    RoundVoter(
                        round_id=round_.id,
                        deputy_id=deputy.id,
                        channel=channel,  # type: ignore[arg-type]
                        voted_at=self.clock.now(),
                    )
                )
                await self.session.flush()
        except IntegrityError:
            raise BallotRefused("voted") from None
        payload = list(ballot.approve) if Mode(round_.mode) is Mode.APPROVAL else dict(ballot.marks)
        self.session.add(
            CastBallot(
                receipt_hash=digest_of(round_.id, round_.receipt_key, receipt),  # type: ignore[arg-type]
                round_id=round_.id,  # type: ignore[arg-type]
                choices=json.dumps(payload, sort_keys=True),
            )
        )
        await self.session.exec(
            delete(BallotDraft).where(  # type: ignore[call-overload]
                col(BallotDraft.round_id) == round_.id, col(BallotDraft.deputy_id) == deputy.id
            )
        )
        await self.session.flush()
        return receipt

    async def turnout(self, round_: SelectionRound) -> int:
        result = await self.session.exec(
            select(func.count()).select_from(RoundVoter).where(RoundVoter.round_id == round_.id)
        )
        return int(result.one())

    async def not_voted(self, round_: SelectionRound) -> list[User]:
        """The electors who have not voted and can be reached in chat."""
        voted = select(RoundVoter.deputy_id).where(RoundVoter.round_id == round_.id)
        rows = await self.session.exec(
            select(User)
            .join(Deputy, col(Deputy.telegram_id) == User.telegram_id)
            .join(RoundElector, col(RoundElector.deputy_id) == Deputy.id)
            .where(RoundElector.round_id == round_.id, col(Deputy.id).not_in(voted))
            .order_by(col(Deputy.id))
        )
        return list(rows.all())

    async def close(self, round_: SelectionRound, *, by_clock: bool = False) -> RoundResult | None:
        """Counts and closes, holding the round's lock: no cast can slip in between the count and
        the status change. `by_clock`: the scheduler's closing, done only once closes_at has
        passed by the clock. Then the box is rewritten in random order and the drafts go.
        None when the round was not open (closed by another) or not yet due."""
        await lock_row(self.session, SelectionRound, round_.id)
        if round_.status != "open" or (by_clock and not closing_due(round_.closes_at, self.clock.now())):
            return None
        candidates = await self.candidates(round_)
        rows = list(
            (
                await self.session.exec(
                    select(CastBallot.receipt_hash, CastBallot.choices).where(
                        CastBallot.round_id == round_.id
                    )
                )
            ).all()
        )
        approval = Mode(round_.mode) is Mode.APPROVAL
        ballots = [
            Ballot(approve=tuple(json.loads(row))) if approval else Ballot(marks=json.loads(row))
            for _hash, row in rows
        ]
        result = tally(self._core(round_, candidates, round_.electorate), ballots)
        await self._shuffle_box(round_, rows)
        closed = await self._advance(
            round_,
            "open",
            "closed",
            closed_at=self.clock.now(),
            result=result.to_json(),
        )
        return result if closed else None

    async def _shuffle_box(self, round_: SelectionRound, rows: list[tuple[str, str]]) -> None:
        """Rewrites the round's ballots in a random order in this one transaction (new rowids, new
        ctids, one xmin for all) and deletes what still names a deputy next to choices."""
        random.SystemRandom().shuffle(rows)
        await self.session.exec(delete(CastBallot).where(col(CastBallot.round_id) == round_.id))  # type: ignore[call-overload]
        if rows:
            await self.session.exec(
                insert(CastBallot),  # type: ignore[call-overload]
                params=[{"receipt_hash": h, "round_id": round_.id, "choices": c} for h, c in rows],
            )
        await self.session.exec(delete(BallotDraft).where(col(BallotDraft.round_id) == round_.id))  # type: ignore[call-overload]
        await self.session.exec(
            update(PaperEntry)
            .where(col(PaperEntry.round_id) == round_.id, col(PaperEntry.deputy_id).is_not(None))
            .values(deputy_id=None, choices="", status="expired")
        )

    @staticmethod
    def result_of(round_: SelectionRound) -> RoundResult | None:
        """The count stored at closing (core.results); None before the round is closed."""
        return RoundResult.from_json(round_.result) if round_.result else None

    async def receipts(self, round_: SelectionRound) -> list[str]:
        rows = await self.session.exec(
            select(CastBallot.receipt_hash)
            .where(CastBallot.round_id == round_.id)
            .order_by(col(CastBallot.receipt_hash))
        )
        return list(rows.all())

    async def publish(self, round_: SelectionRound, admin: User) -> list[Suggestion]:
        """Marks the round published and moves the residents' suggestions to elected / not elected."""
        result = self.result_of(round_)
        elected = set(result.elected) if result else set()
        undecided = set(result.tied) if result else set()
        moved: list[Suggestion] = []
        for candidate in await self.candidates(round_):
            _item, suggestion = await self.source(candidate)
            if suggestion is None or suggestion.state != State.CANDIDATE or candidate.code in undecided:
                continue
            action = Action.ELECT if candidate.code in elected else Action.NOT_ELECT
            await self.suggestions.move(suggestion, action, admin, Role.ADMIN)
            moved.append(suggestion)
        if not await self._advance(round_, "closed", "published"):
            raise BallotRefused("closed")
        return moved

    async def source(self, candidate: RoundCandidate) -> tuple[CandidateItem | None, Suggestion | None]:
        """Where a candidate comes from: its item, and the residents' suggestion behind it (None
        for a 特定征集 item)."""
        item = await self.session.get(CandidateItem, candidate.item_id)
        suggestion = (
            await self.session.get(Suggestion, item.suggestion_id) if item and item.suggestion_id else None
        )
        return item, suggestion

    async def runoff(self, round_: SelectionRound, admin: User) -> SelectionRound:
        """A new round among the tied candidates, for the seats the tie left."""
        result = self.result_of(round_)
        tied = set(result.tied) if result else set()
        items = [
            await self.session.get(CandidateItem, c.item_id)
            for c in await self.candidates(round_)
            if c.code in tied
        ]
        return await self.create(
            admin,
            round_.year,
            f"{round_.title}（加赛）",
            Mode(round_.mode),
            result.seats_left if result else 0,
            [i for i in items if i],
            parent=round_,
        )

    async def get(self, round_id: int) -> SelectionRound | None:
        return await self.session.get(SelectionRound, round_id)

    async def recent(self, limit: int = 10) -> list[SelectionRound]:
        rows = await self.session.exec(
            select(SelectionRound).order_by(col(SelectionRound.id).desc()).limit(limit)
        )
        return list(rows.all())

    async def find_receipt(self, receipt: str) -> SelectionRound | None:
        """The published round a receipt code was counted in, if any."""
        for round_ in await self.recent(100):
            if round_.status != "published":
                continue
            if await self.session.get(CastBallot, digest_of(round_.id, round_.receipt_key, receipt)):  # type: ignore[arg-type]
                return round_
        return None

    async def ballots(self, round_: SelectionRound) -> list[CastBallot]:
        rows = await self.session.exec(
            select(CastBallot).where(CastBallot.round_id == round_.id).order_by(col(CastBallot.receipt_hash))
        )
        return list(rows.all())

    # -- paper ballots: double entry ---------------------------------------------------------------
    def parse_paper(self, round_: SelectionRound, text: str, codes: set[str]) -> dict | str:
        """What an admin typed from a paper ballot: "c1 c4 c7", or "c1 赞成 c2 反对 c3 弃权"."""
        words = text.replace(",", " ").replace("，", " ").replace("、", " ").split()
        if Mode(round_.mode) is Mode.APPROVAL:
            unknown = [w for w in words if w.lower() not in codes]
            return f"unknown code {unknown[0]!r}" if unknown else {w.lower(): True for w in words}
        marks = {
            "赞成": "yes",
            "yes": "yes",
            "反对": "no",
            "no": "no",
            "弃权": "abstain",
            "abstain": "abstain",
        }
        choices: dict[str, str] = {}
        for code, mark in zip(words[::2], words[1::2], strict=False):
            if code.lower() not in codes or mark.lower() not in marks:
                return f"cannot read {code} {mark}"
            choices[code.lower()] = marks[mark.lower()]
        return choices

    async def enter_paper(
        self, round_: SelectionRound, deputy: Deputy | None, admin: User, choices: dict
    ) -> PaperEntry:
        """The first entry of a paper ballot. BallotRefused as `admit` (a deputy id that names
        nobody is "not_elector"), "invalid" or "pending" (an entry already awaits its check)."""
        if deputy is None:
            raise BallotRefused("not_elector")
        await self.admit(round_, deputy)
        problem = await self.problem(round_, choices)
        if problem is not None:
            raise BallotRefused("invalid", problem)
        pending = await self.pending_paper(round_, deputy)
        if pending is not None:
            raise BallotRefused("pending")
        entry = PaperEntry(
            round_id=round_.id,
            deputy_id=deputy.id,
            choices=json.dumps(choices, sort_keys=True),  # type: ignore[arg-type]
            status="pending",
            entered_by=admin.id,
            created_at=self.clock.now(),
        )  # type: ignore[arg-type]
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def paper_entry(self, entry_id: int) -> PaperEntry | None:
        return await self.session.get(PaperEntry, entry_id)

    async def pending_paper(self, round_: SelectionRound, deputy: Deputy | None = None) -> PaperEntry | None:
        query = select(PaperEntry).where(PaperEntry.round_id == round_.id, PaperEntry.status == "pending")
        if deputy is not None:
            query = query.where(PaperEntry.deputy_id == deputy.id)
        return (await self.session.exec(query.order_by(col(PaperEntry.id)))).first()

    async def pending_papers(self, round_: SelectionRound) -> list[tuple[PaperEntry, Deputy]]:
        rows = await self.session.exec(
            select(PaperEntry, Deputy)
            .join(Deputy, col(Deputy.id) == PaperEntry.deputy_id)
            .where(PaperEntry.round_id == round_.id, PaperEntry.status == "pending")
            .order_by(col(PaperEntry.id))
        )
        return list(rows.all())

    async def check_paper(self, entry: PaperEntry, admin: User, choices: dict) -> str | None:
        """The second entry. Returns the receipt when both agree (the ballot is cast); None when
        they differ (nothing is counted, and the ballot must be entered again). The round is
        locked and the entry read again first: BallotRefused("checked") when another admin's check
        came first (two admins pressing 核对 on one entry), "same_admin" for the first admin."""
        await lock_row(self.session, SelectionRound, entry.round_id)
        entry = await lock_row(self.session, PaperEntry, entry.id)
        if entry.status != "pending":
            raise BallotRefused("checked")
        if entry.entered_by == admin.id:
            raise BallotRefused("same_admin")
        round_ = await self.get(entry.round_id)
        deputy = await self.session.get(Deputy, entry.deputy_id)
        entry.checked_by = admin.id
        agreed = json.loads(entry.choices) == choices
        # Counted or not, the entry forgets whose ballot it was and what it said.
        entry.status = "counted" if agreed else "mismatch"
        entry.deputy_id, entry.choices = None, ""
        self.session.add(entry)
        if not agreed:
            return None
        return await self.cast(round_, deputy, choices, channel="paper")  # type: ignore[arg-type]

"""Residents' suggestions: drafts written in chat, submission, tracking numbers, history, follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    Attachment,
    CategoryCorrection,
    Community,
    Deputy,
    Follow,
    Street,
    Suggestion,
    SuggestionEvent,
    TrackingCounter,
    User,
)
from bot.db.upsert import insert_ignoring_conflicts
from bot.runtime.clock import Clock
from core.classify import Classification
from core.roles import Role
from core.similarity import most_similar
from core.tracking import tracking_code
from core.workflow import OPEN_STATES, Action, State, transition

PAGE_SIZE = 5


class StaleChange(Exception):
    """Someone changed the suggestion first; nothing was written."""


@dataclass(frozen=True)
class SuggestionView:
    suggestion: Suggestion
    street: Street | None
    community: Community | None
    events: list[SuggestionEvent]
    attachments: list[Attachment]

    @property
    def tracking(self) -> str:
        return tracking(self.suggestion)


def tracking(suggestion: Suggestion) -> str:
    if suggestion.year is None or suggestion.number is None:
        return f"#{suggestion.id}"
    return tracking_code(suggestion.year, suggestion.number)


class SuggestionService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def get(self, suggestion_id: int) -> Suggestion | None:
        return await self.session.get(Suggestion, suggestion_id)

    # -- drafts ------------------------------------------------------------------------------------
    async def start_draft(self, author: User, text: str, guess: Classification) -> Suggestion:
        """A draft is stored at once: nothing the resident wrote is lost if the bot restarts."""
        now = self.clock.now()
        # An unfinished earlier draft is left behind: the newest text is what they mean now.
        for old in (
            await self.session.exec(
                select(Suggestion).where(Suggestion.resident_id == author.id, Suggestion.state == State.DRAFT)
            )
        ).all():
            await self.move(old, Action.ABANDON, author, Role.RESIDENT)
        draft = Suggestion(
            resident_id=author.id,  # type: ignore[arg-type]
            text=text,
            category=guess.category,
            predicted_category=guess.category or (guess.ranked[0] if guess.alternatives else None),
            confidence=guess.confidence,
            state=State.DRAFT,
            created_at=now,
            updated_at=now,
        )
        self.session.add(draft)
        await self.session.flush()
        return draft

    async def draft_of(self, author: User, draft_id: int) -> Suggestion | None:
        """The author's draft, if it still is one (a stale or forged button finds nothing)."""
        draft = await self.session.get(Suggestion, draft_id)
        if draft is None or draft.resident_id != author.id or draft.state != State.DRAFT:
            return None
        return draft

    async def choose_category(self, draft: Suggestion, code: str) -> None:
        draft.category = code
        draft.updated_at = self.clock.now()
        self.session.add(draft)

    async def place(self, draft: Suggestion, author: User, street_id: int, community_id: int | None) -> None:
        draft.street_id, draft.community_id = street_id, community_id
        author.home_street_id, author.home_community_id = street_id, community_id
        self.session.add_all([draft, author])

    async def revise_draft(self, draft: Suggestion, text: str) -> None:
        """The resident corrected the text of a draft (an edited message) before submitting it."""
        draft.text = text
        draft.updated_at = self.clock.now()
        self.session.add(draft)
        await self.session.flush()

    async def attach_photo(self, draft: Suggestion, file_id: str, file_unique_id: str) -> None:
        self.session.add(
            Attachment(
                suggestion_id=draft.id,
                kind="photo",
                file_id=file_id,  # type: ignore[arg-type]
                file_unique_id=file_unique_id,
                created_at=self.clock.now(),
            )
        )

    async def similar_open(self, draft: Suggestion) -> list[tuple[Suggestion, float]]:
        """Open suggestions of the same street that read alike (for "follow that one instead")."""
        if draft.street_id is None:
            return []
        rows = (
            await self.session.exec(
                select(Suggestion)
                .where(
                    Suggestion.street_id == draft.street_id,
                    col(Suggestion.state).in_([s.value for s in OPEN_STATES]),
                    Suggestion.id != draft.id,
                )
                .order_by(col(Suggestion.id).desc())
                .limit(500)
            )
        ).all()
        by_id = {row.id: row for row in rows}
        matches = most_similar(draft.text, [(row.id, row.text) for row in rows])  # type: ignore[misc]
        return [(by_id[key], score) for key, score in matches]

    async def submit(self, draft: Suggestion, author: User, share_name: bool, role: Role) -> Suggestion:
        now = self.clock.now()
        draft.share_name = share_name
        draft.year = now.year
        draft.number = await self._next_number(now.year)
        draft.submitted_at = now
        if draft.category and draft.predicted_category and draft.category != draft.predicted_category:
            self.session.add(
                CategoryCorrection(
                    suggestion_id=draft.id,
                    text=draft.text,
                    predicted=draft.predicted_category,
                    corrected=draft.category,
                    actor_role=role.value,
                    at=now,
                )
            )
        await self.move(draft, Action.SUBMIT, author, Role.RESIDENT)
        await self.follow(author, draft)
        return draft

    async def submit_on_behalf(
        self, deputy_user: User, deputy: Deputy, text: str, guess: Classification
    ) -> Suggestion:
        """代征集: a suggestion a deputy heard at a liaison station, submitted at once in the
        deputy's street under the deputy's name, in the best-guessed category (DESIGN.md, "Suggestion lifecycle")."""
        suggestion = await self.start_draft(deputy_user, text, guess)
        suggestion.category = guess.category or guess.ranked[0]
        suggestion.on_behalf_deputy_id = deputy.id
        await self.place(suggestion, deputy_user, deputy.street_id, None)
        return await self.submit(suggestion, deputy_user, share_name=True, role=Role.DEPUTY)

    async def abandon(self, draft: Suggestion, author: User) -> None:
        await self.move(draft, Action.ABANDON, author, Role.RESIDENT)

    async def submitted_since(self, author: User, since: datetime) -> int:
        result = await self.session.exec(
            select(func.count())
            .select_from(Suggestion)
            .where(Suggestion.resident_id == author.id, col(Suggestion.submitted_at) >= since)
        )
        return int(result.one())

    def start_of_today(self) -> datetime:
        now = self.clock.now()
        return now.replace(hour=0, minute=0, second=0, microsecond=0)

    # -- after submission ----------------------------------------------------------------------
    async def follow(self, user: User, suggestion: Suggestion) -> None:
        await self.session.exec(
            insert_ignoring_conflicts(
                self.session,
                Follow,
                {  # type: ignore[call-overload]
                    "user_id": user.id,
                    "suggestion_id": suggestion.id,
                    "created_at": self.clock.now(),
                },
            )
        )

    async def page_of(self, user: User, page: int) -> tuple[list[Suggestion], int]:
        """One page of the suggestions a person wrote or follows, newest first, and the page count."""
        followed = select(Follow.suggestion_id).where(Follow.user_id == user.id)
        visible = (
            (col(Suggestion.resident_id) == user.id) | col(Suggestion.id).in_(followed),
            col(Suggestion.state).not_in([State.DRAFT.value, State.ABANDONED.value]),
        )
        count = select(func.count()).select_from(Suggestion).where(*visible)
        total = int((await self.session.exec(count)).one())
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = (
            await self.session.exec(
                select(Suggestion)
                .where(*visible)
                .order_by(col(Suggestion.id).desc())
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        ).all()
        return list(rows), pages

    async def follows(self, user: User, suggestion: Suggestion) -> bool:
        found = await self.session.exec(
            select(Follow.id).where(Follow.user_id == user.id, Follow.suggestion_id == suggestion.id)
        )
        return found.first() is not None

    async def view(self, suggestion_id: int) -> SuggestionView | None:
        suggestion = await self.session.get(Suggestion, suggestion_id)
        if suggestion is None:
            return None
        events = (
            await self.session.exec(
                select(SuggestionEvent)
                .where(SuggestionEvent.suggestion_id == suggestion_id)
                .order_by(col(SuggestionEvent.id))
            )
        ).all()
        attachments = (
            await self.session.exec(
                select(Attachment)
                .where(Attachment.suggestion_id == suggestion_id)
                .order_by(col(Attachment.id))
            )
        ).all()
        street = await self.session.get(Street, suggestion.street_id) if suggestion.street_id else None
        community = (
            await self.session.get(Community, suggestion.community_id) if suggestion.community_id else None
        )
        return SuggestionView(suggestion, street, community, list(events), list(attachments))

    async def handled_by_deputy(self, suggestion: Suggestion) -> bool:
        result = await self.session.exec(
            select(SuggestionEvent.id)
            .where(
                SuggestionEvent.suggestion_id == suggestion.id,
                col(SuggestionEvent.actor_role).in_([Role.DEPUTY.value, Role.ADMIN.value, Role.STAFF.value]),
                SuggestionEvent.kind != Action.SUBMIT.value,
            )
            .limit(1)
        )
        return result.first() is not None

    async def can_withdraw(self, suggestion: Suggestion, user: User) -> bool:
        return (
            suggestion.resident_id == user.id
            and suggestion.state == State.SUBMITTED
            and not await self.handled_by_deputy(suggestion)
        )

    async def withdraw(self, suggestion: Suggestion, user: User) -> SuggestionEvent:
        if not await self.can_withdraw(suggestion, user):
            raise StaleChange("no longer withdrawable")
        return await self.move(suggestion, Action.WITHDRAW, user, Role.RESIDENT)

    async def followers(self, suggestion: Suggestion) -> list[User]:
        rows = await self.session.exec(
            select(User)
            .join(Follow, col(Follow.user_id) == User.id)
            .where(Follow.suggestion_id == suggestion.id)
        )
        return list(rows.all())

    # -- the one place where suggestions change -------------------------------------------------
    async def move(
        self,
        suggestion: Suggestion,
        action: Action,
        actor: User,
        role: Role,
        reason: str | None = None,
        **changes: object,
    ) -> SuggestionEvent:
        """A change of state, as core/workflow allows it."""
        new = transition(State(suggestion.state), action, role, reason)
        return await self._change(suggestion, action.value, actor, role, reason, new, changes)

    async def annotate(
        self,
        suggestion: Suggestion,
        kind: str,
        actor: User,
        role: Role,
        reason: str | None = None,
        **changes: object,
    ) -> SuggestionEvent:
        """A change that keeps the state (another category, another street), recorded the same way."""
        return await self._change(suggestion, kind, actor, role, reason, State(suggestion.state), changes)

    async def _change(
        self,
        suggestion: Suggestion,
        kind: str,
        actor: User,
        role: Role,
        reason: str | None,
        new: State,
        changes: dict[str, object],
    ) -> SuggestionEvent:
        old = suggestion.state
        now = self.clock.now()
        # Compare-and-set on the version: of two concurrent changes exactly one is written.
        result = await self.session.exec(
            update(Suggestion)
            .where(col(Suggestion.id) == suggestion.id, col(Suggestion.version) == suggestion.version)
            .values(state=new.value, version=suggestion.version + 1, updated_at=now, **changes)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            # Lost the compare-and-set: re-read the row, so whoever tells the loser why tells
            # the state the winner wrote, not the one held before (issue 13, fault 13).
            await self.session.refresh(suggestion)
            raise StaleChange(f"suggestion {suggestion.id} changed meanwhile")
        for key, value in {
            "state": new.value,
            "version": suggestion.version + 1,
            "updated_at": now,
            **changes,
        }.items():
            setattr(suggestion, key, value)
        # The UPDATE bypassed the identity map; adding the object keeps its other edits flushed too.
        self.session.add(suggestion)
        event = SuggestionEvent(
            suggestion_id=suggestion.id,
            actor_id=actor.id,
            actor_role=role.value,  # type: ignore[arg-type]
            kind=kind,
            old_state=old,
            new_state=new.value,
            reason=reason,
            at=now,
        )
        self.session.add(event)
        await self.session.flush()
        return event

    async def last_event(self, suggestion: Suggestion) -> SuggestionEvent | None:
        result = await self.session.exec(
            select(SuggestionEvent)
            .where(SuggestionEvent.suggestion_id == suggestion.id)
            .order_by(col(SuggestionEvent.id).desc())
            .limit(1)
        )
        return result.first()

    async def _next_number(self, year: int) -> int:
        await self.session.exec(
            insert_ignoring_conflicts(
                self.session,
                TrackingCounter,  # type: ignore[call-overload]
                {"year": year, "last": 0},
            )
        )
        result = await self.session.exec(
            update(TrackingCounter)
            .where(col(TrackingCounter.year) == year)
            .values(last=TrackingCounter.last + 1)
            .returning(TrackingCounter.last)
        )
        return int(result.scalar_one())

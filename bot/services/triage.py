"""Deputies triage the suggestions of their street; staff judge feasibility; admins nominate.

Every action is checked here, on the server, against who presses and what the suggestion is now:
a forged, stale or concurrent press changes nothing and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    CandidateItem,
    CategoryCorrection,
    Deputy,
    Follow,
    PointsEntry,
    Street,
    Suggestion,
    User,
)
from bot.db.upsert import insert_ignoring_conflicts
from bot.runtime.clock import Clock
from bot.services.suggestions import PAGE_SIZE, StaleChange, SuggestionService, tracking
from core.categories import by_code
from core.permissions import Access, Facts, Need, need_for, suggestion_access
from core.points import ranking
from core.roles import Role
from core.similarity import most_similar
from core.workflow import OPEN_STATES, Action, State, TransitionRefused


class Refused(Exception):
    """The press changes nothing. `code`: not_yours, stale, not_allowed, reason_required."""

    def __init__(self, code: str, suggestion: Suggestion | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.suggestion = suggestion


@dataclass(frozen=True)
class Handled:
    """Who last changed a suggestion, and to what: told to a deputy whose press came second.

    `role` is the role the actor acted in, as the event stored it (resident, deputy, staff, admin):
    the refusal names that actor, not a guess from whether the user is on the roster."""

    actor: User | None
    deputy: Deputy | None
    state: str
    kind: str
    role: str


class TriageService:
    def __init__(
        self, session: AsyncSession, clock: Clock, suggestions: SuggestionService, points: dict[str, int]
    ) -> None:
        self.session = session
        self.clock = clock
        self.suggestions = suggestions
        self.points = points

    # -- who may act ----------------------------------------------------------------------------
    async def deputy_of(self, user: User) -> Deputy | None:
        result = await self.session.exec(
            select(Deputy).where(Deputy.telegram_id == user.telegram_id, Deputy.is_active)
        )
        return result.first()

    async def access(self, user: User, role: Role, suggestion: Suggestion, need: Need) -> Access:
        """How far this person may see or act on this suggestion (the rule: core.permissions).

        Gathers only the facts that can matter: the deputy's street for a deputy, whether they
        follow it when nothing else lets them read it.
        """
        own_street = False
        if role is Role.DEPUTY:
            deputy = await self.deputy_of(user)
            own_street = deputy is not None and deputy.street_id == suggestion.street_id
        facts = Facts(
            role=role,
            state=State(suggestion.state),
            is_author=suggestion.resident_id == user.id,
            own_street=own_street,
        )
        access = suggestion_access(need, facts)
        if access is Access.NONE and need is Need.READ and await self.suggestions.follows(user, suggestion):
            access = suggestion_access(need, replace(facts, follows=True))
        return access

    async def may(self, user: User, role: Role, suggestion: Suggestion, need: Need) -> bool:
        return await self.access(user, role, suggestion, need) is Access.FULL

    async def street_deputies(self, street_id: int | None) -> list[User]:
        """The users of a street's active deputies who have started the bot."""
        if street_id is None:
            return []
        rows = await self.session.exec(
            select(User)
            .join(Deputy, col(Deputy.telegram_id) == User.telegram_id)
            .where(Deputy.street_id == street_id, Deputy.is_active)
        )
        return list(rows.all())

    async def handled(self, suggestion: Suggestion) -> Handled | None:
        event = await self.suggestions.last_event(suggestion)
        if event is None:
            return None
        actor = await self.session.get(User, event.actor_id) if event.actor_id else None
        deputy = await self.deputy_of(actor) if actor else None
        return Handled(actor, deputy, suggestion.state, event.kind, event.actor_role)

    # -- lists ----------------------------------------------------------------------------------
    async def inbox(self, user: User, role: Role, page: int) -> tuple[list[Suggestion], int]:
        """What waits for this deputy (every street for an admin), oldest first."""
        waiting = [col(Suggestion.state).in_([s.value for s in OPEN_STATES])]
        if role is not Role.ADMIN:
            deputy = await self.deputy_of(user)
            if deputy is None:
                return [], 1
            waiting.append(Suggestion.street_id == deputy.street_id)
        return await self._page(waiting, page, oldest_first=True)

    async def in_state(self, state: State, page: int) -> tuple[list[Suggestion], int]:
        return await self._page([Suggestion.state == state.value], page, oldest_first=True)

    async def _page(self, where: list, page: int, oldest_first: bool) -> tuple[list[Suggestion], int]:
        total = int(
            (await self.session.exec(select(func.count()).select_from(Suggestion).where(*where))).one()
        )
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        order = col(Suggestion.id) if oldest_first else col(Suggestion.id).desc()
        rows = await self.session.exec(
            select(Suggestion).where(*where).order_by(order).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        )
        return list(rows.all()), pages

    async def merge_candidates(self, suggestion: Suggestion) -> list[Suggestion]:
        """Open suggestions of the same street, the most alike first."""
        rows = (
            await self.session.exec(
                select(Suggestion)
                .where(
                    Suggestion.street_id == suggestion.street_id,
                    col(Suggestion.state).in_([s.value for s in OPEN_STATES]),
                    Suggestion.id != suggestion.id,
                )
                .order_by(col(Suggestion.id).desc())
                .limit(500)
            )
        ).all()
        by_id = {row.id: row for row in rows}
        scored = most_similar(suggestion.text, [(row.id, row.text) for row in rows], threshold=0.0, limit=5)  # type: ignore[misc]
        return [by_id[key] for key, _score in scored]

    # -- acting -------------------------------------------------------------------------------------
    async def _load(
        self, user: User, role: Role, suggestion_id: int, seen_version: int, need: Need = Need.TRIAGE
    ) -> Suggestion:
        suggestion = await self.session.get(Suggestion, suggestion_id)
        if suggestion is None or suggestion.state in (State.DRAFT, State.ABANDONED):
            raise Refused("not_allowed")
        # Staff judge feasibility only: a forged triage, reclassify or reassign press is theirs to
        # make no more than a resident's (issue 13, fault 2).
        if not await self.may(user, role, suggestion, need):
            raise Refused("not_yours", suggestion)
        if suggestion.version != seen_version:
            raise Refused("stale", suggestion)
        return suggestion

    async def act(
        self,
        user: User,
        role: Role,
        suggestion_id: int,
        seen_version: int,
        action: Action,
        reason: str | None = None,
        merge_into: int | None = None,
        title: str | None = None,
    ):  # type: ignore[no-untyped-def]
        """A triage, feasibility or nomination step. Returns (suggestion, event).

        `title`: a nomination's candidate title as the admin confirmed or typed it (at most 200
        characters); None is the neutral one of `candidate_title`."""
        suggestion = await self._load(user, role, suggestion_id, seen_version, need_for(action))
        changes: dict[str, object] = {}
        if action is Action.MERGE:
            target = await self.session.get(Suggestion, merge_into) if merge_into else None
            if (
                target is None
                or target.id == suggestion.id
                or target.street_id != suggestion.street_id
                or State(target.state) not in OPEN_STATES
            ):
                raise Refused("not_allowed", suggestion)
            changes["merged_into_id"] = target.id
        try:
            event = await self.suggestions.move(suggestion, action, user, role, reason, **changes)
        except TransitionRefused as refused:
            raise Refused(refused.code, suggestion) from None
        except StaleChange:
            raise Refused("stale", suggestion) from None
        if action is Action.MERGE:
            await self._move_followers(suggestion, changes["merged_into_id"])  # type: ignore[arg-type]
        if action is Action.NOMINATE:
            # On next year's candidate list, as an item a selection round can take.
            # A neutral working title (category and tracking number), never the resident's own
            # words, which may hold a name, an address or a phone number (issue 13, fault 5).
            self.session.add(
                CandidateItem(
                    year=self.clock.now().year + 1,
                    title=(title or "").strip()[:200] or self.candidate_title(suggestion),
                    category=suggestion.category or "services",
                    origin="pool",
                    suggestion_id=suggestion.id,
                    created_at=self.clock.now(),
                )
            )
        await self._earn(user, role, action.value, suggestion)
        return suggestion, event

    @staticmethod
    def candidate_title(suggestion: Suggestion) -> str:
        """The neutral working title a nomination is offered: "<category>类民生实事建议 <tracking>",
        never the resident's words (issue 13, fault 5)."""
        category = by_code().get(suggestion.category or "services")
        return f"{category.zh if category else ''}类民生实事建议 {tracking(suggestion)}"

    async def reclassify(self, user: User, role: Role, suggestion_id: int, seen_version: int, code: str):  # type: ignore[no-untyped-def]
        suggestion = await self._load(user, role, suggestion_id, seen_version)
        if code not in by_code() or State(suggestion.state) not in OPEN_STATES or code == suggestion.category:
            raise Refused("not_allowed", suggestion)
        self.session.add(
            CategoryCorrection(
                suggestion_id=suggestion.id,
                text=suggestion.text,
                predicted=suggestion.category,
                corrected=code,
                actor_role=role.value,
                at=self.clock.now(),
            )
        )
        event = await self._annotate(suggestion, "reclassify", user, role, code, category=code)
        await self._earn(user, role, "reclassify", suggestion)
        return suggestion, event

    async def reassign(self, user: User, role: Role, suggestion_id: int, seen_version: int, street_id: int):  # type: ignore[no-untyped-def]
        suggestion = await self._load(user, role, suggestion_id, seen_version)
        street = await self.session.get(Street, street_id)
        if street is None or street.id == suggestion.street_id or State(suggestion.state) not in OPEN_STATES:
            raise Refused("not_allowed", suggestion)
        event = await self._annotate(
            suggestion, "reassign", user, role, street.name, street_id=street.id, community_id=None
        )
        await self._earn(user, role, "reassign", suggestion)
        return suggestion, event

    async def _annotate(
        self, suggestion: Suggestion, kind: str, user: User, role: Role, reason: str, **changes: object
    ):  # type: ignore[no-untyped-def]
        try:
            return await self.suggestions.annotate(suggestion, kind, user, role, reason, **changes)
        except StaleChange:
            raise Refused("stale", suggestion) from None

    async def _move_followers(self, source: Suggestion, target_id: int) -> None:
        followers = (
            await self.session.exec(select(Follow.user_id).where(Follow.suggestion_id == source.id))
        ).all()
        for user_id in followers:
            await self.session.exec(
                insert_ignoring_conflicts(
                    self.session,
                    Follow,
                    {  # type: ignore[call-overload]
                        "user_id": user_id,
                        "suggestion_id": target_id,
                        "created_at": self.clock.now(),
                    },
                )
            )

    async def _earn(self, user: User, role: Role, action: str, suggestion: Suggestion | None) -> None:
        if role is not Role.DEPUTY:
            return
        deputy = await self.deputy_of(user)
        points = self.points.get(action, 0)
        if deputy is not None and points:
            self.session.add(
                PointsEntry(
                    deputy_id=deputy.id,
                    action=action,
                    points=points,  # type: ignore[arg-type]
                    suggestion_id=suggestion.id if suggestion else None,
                    at=self.clock.now(),
                )
            )

    async def earn_on_behalf(self, user: User, suggestion: Suggestion) -> None:
        await self._earn(user, Role.DEPUTY, "on_behalf", suggestion)

    # -- points -----------------------------------------------------------------------------------
    async def ledger(self, deputy: Deputy, limit: int = 10) -> tuple[list[PointsEntry], int, int, int]:
        """Recent entries, the deputy's total, their rank and the number of deputies ranked."""
        entries = (
            await self.session.exec(
                select(PointsEntry)
                .where(PointsEntry.deputy_id == deputy.id)
                .order_by(col(PointsEntry.id).desc())
                .limit(limit)
            )
        ).all()
        totals = dict(
            (
                await self.session.exec(
                    select(Deputy.id, func.coalesce(func.sum(PointsEntry.points), 0))
                    .outerjoin(PointsEntry, col(PointsEntry.deputy_id) == Deputy.id)
                    .where(Deputy.is_active)
                    .group_by(Deputy.id)
                )
            ).all()
        )
        ranks = {key: (points, rank) for key, points, rank in ranking(totals)}
        total, rank = ranks.get(deputy.id, (0, len(ranks) + 1))  # type: ignore[arg-type]
        return list(entries), int(total), rank, len(ranks)

    async def all_points(self) -> list[tuple[PointsEntry, Deputy]]:
        rows = await self.session.exec(
            select(PointsEntry, Deputy)
            .join(Deputy, col(Deputy.id) == PointsEntry.deputy_id)
            .order_by(col(PointsEntry.id))
        )
        return list(rows.all())

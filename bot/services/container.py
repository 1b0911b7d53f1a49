"""The services of one update (or one scheduler tick), sharing its DB session and its notifier.

Handlers and use cases reach every query and row change through these services, and commit only
through `commit()`. Nothing here imports aiogram: the notifier is built by the runtime and handed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.runtime.clock import Clock
from bot.services.areas import AreaService
from bot.services.evaluations import EvaluationService
from bot.services.invites import InviteService
from bot.services.projects import ProjectService
from bot.services.roster import RosterService
from bot.services.rounds import RoundService
from bot.services.suggestions import SuggestionService
from bot.services.triage import TriageService
from bot.services.users import UserService
from core.points import points_table

if TYPE_CHECKING:
    from bot.notify import Notifier


@dataclass
class Services:
    session: AsyncSession
    clock: Clock
    settings: Settings
    # Who tells people what happened (bot.notify.Notifier); None where nothing is ever told (the
    # command-line reports, tests of a single service).
    notifier: Notifier | None = None

    @property
    def outbox(self) -> Notifier:
        """The notifier, for the use cases in bot/notices/. RuntimeError if these services were
        built without one."""
        if self.notifier is None:
            raise RuntimeError("these services were built without a notifier")
        return self.notifier

    async def commit(self) -> None:
        """Store what this update changed so far (before an FSM step that must follow a stored row,
        or before answering when the answer reports the change)."""
        await self.session.commit()

    async def rollback(self) -> None:
        """Forget what this update changed since the last commit (a refused step)."""
        await self.session.rollback()

    async def quiet(self) -> None:
        """End the transaction before a round of sends outside an update (the scheduler's work):
        on SQLite every transaction holds the write lock. Within an update, bot.runtime.telegram's
        ReleaseTransaction already commits before each Bot API call."""
        if self.session.in_transaction():
            await self.session.commit()

    @cached_property
    def users(self) -> UserService:
        return UserService(
            self.session,
            self.clock,
            admin_ids=self.settings.admin_ids,
            pseudonym_secret=self.settings.pseudonym_secret.get_secret_value().encode(),
        )

    @cached_property
    def areas(self) -> AreaService:
        return AreaService(self.session)

    @cached_property
    def roster(self) -> RosterService:
        return RosterService(self.session, self.clock)

    @cached_property
    def suggestions(self) -> SuggestionService:
        return SuggestionService(self.session, self.clock)

    @cached_property
    def triage(self) -> TriageService:
        return TriageService(
            self.session, self.clock, self.suggestions, points_table(self.settings.points_table)
        )

    @cached_property
    def invites(self) -> InviteService:
        return InviteService(self.session, self.clock, self.settings.invite_days)

    @cached_property
    def rounds(self) -> RoundService:
        return RoundService(self.session, self.clock, self.suggestions, self.settings.special_min_share)

    @cached_property
    def projects(self) -> ProjectService:
        return ProjectService(
            self.session, self.clock, self.settings.plan_days, self.settings.report_every_days
        )

    @cached_property
    def evaluations(self) -> EvaluationService:
        return EvaluationService(
            self.session, self.clock, self.settings.thresholds, self.settings.evaluation_points
        )

"""Work that falls due by the clock: round openings, closings, reminders, pre-review notices.

`tick(now)` does whatever is due at `now`, and nothing twice: states move by compare-and-set and
each notice has a unique key, so two schedulers (replicas, a restart) cannot double anything.
APScheduler calls it every TICK_SECONDS in production (missed runs coalesced into one); the
sandbox and the tests call it when they move the clock.
"""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram.utils.i18n import gettext as _
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db.engine import SessionFactory
from bot.db.models import User
from bot.keyboards import rounds as kb
from bot.notices.evaluations import close_evaluation, invite, missed_evaluation, open_evaluation
from bot.notices.projects import deadline_notices, weekly_digest
from bot.notices.rounds import close_round, missed_round, open_round, send_ballots
from bot.notify import Notifier
from bot.round_texts import VOTE_REMINDER, pages, pre_review_texts, when
from bot.runtime.clock import Clock
from bot.runtime.leader import leadership
from bot.services.container import Services

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        settings: Settings,
        notifier: Notifier,
        engine: AsyncEngine,
    ) -> None:
        self.session_factory = session_factory
        self.engine = engine
        self.clock = clock
        self.settings = settings
        self.notifier = notifier
        self._aps: AsyncIOScheduler | None = None

    async def tick(self, now: datetime | None = None) -> None:
        async with leadership(self.engine, "minsheng-scheduler") as leader:
            if leader:
                await self._tick(now or self.clock.now())
            else:
                log.debug("another replica runs this tick")

    async def _tick(self, now: datetime) -> None:
        async with self.session_factory() as session:
            services = Services(session, self.clock, self.settings, self.notifier)
            due = await services.rounds.due(now)
            for round_ in due.pre_reviews:
                if await services.rounds.claim_notice(round_, "pre_review"):
                    await self._pre_review(services, round_)
            for round_ in due.missed:
                await missed_round(services, round_)
            for round_ in due.to_open:
                await open_round(services, round_)
            for round_ in due.to_close:
                await close_round(services, round_, by_clock=True)
                await session.commit()
            for round_, kind in due.reminders:
                if await services.rounds.claim_notice(round_, kind):
                    await self._remind(services, round_, kind)
            evaluations = await services.evaluations.due(now)
            for evaluation in evaluations.missed:
                await missed_evaluation(services, evaluation)
            for evaluation in evaluations.to_open:
                await open_evaluation(services, evaluation)
            for evaluation in evaluations.to_close:
                await close_evaluation(services, evaluation, by_clock=True)
                await session.commit()
            for evaluation in evaluations.reminders:
                if await self.notifier.queued(session, f"evaluation:{evaluation.id}:reminder"):
                    continue  # due for the whole last day; sent once
                late = await services.evaluations.not_rated(evaluation)
                await invite(services, evaluation, late, "reminder")
            # Projects: deadlines and the weekly digest (the outbox keys make both idempotent).
            await deadline_notices(services, now)
            await weekly_digest(services, now)
            await session.commit()

    async def _pre_review(self, services: Services, round_) -> None:  # type: ignore[no-untyped-def]
        """预先审议: the candidate materials, grouped by category, a week before the vote."""
        candidates = await services.rounds.candidates(round_)
        deputies = [user for _deputy, user in await services.rounds.active_deputies() if user is not None]

        tz = self.settings.tz

        def render(_user: User, page: int) -> tuple[str, object]:  # in each deputy's language
            return pre_review_texts(round_, candidates, tz)[page], kb.candidate_cards(round_, candidates)[
                page
            ]

        for page in range(len(pages(candidates, 1))):  # most rounds: one message
            key = f"round:{round_.id}:pre_review" + (f":{page + 1}" if page else "")
            await self.notifier.notify(
                services.session, key, "round", deputies, lambda user, page=page: render(user, page)
            )  # type: ignore[arg-type]
        await services.session.commit()

    async def _remind(self, services: Services, round_, kind: str) -> None:  # type: ignore[no-untyped-def]
        candidates = await services.rounds.candidates(round_)
        late = await services.rounds.not_voted(round_)
        await self.notifier.notify(
            services.session,
            f"round:{round_.id}:{kind}",
            "round",
            late,
            lambda _user: _(VOTE_REMINDER).format(
                title=round_.title, closes=when(round_.closes_at, self.settings.tz)
            ),
        )
        await send_ballots(services, round_, candidates, late, f"round:{round_.id}:{kind}:ballot")
        await services.session.commit()

    def start(self) -> None:
        self._aps = AsyncIOScheduler(timezone=self.settings.tz)
        self._aps.add_job(
            self.tick,
            IntervalTrigger(seconds=self.settings.tick_seconds),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=self.settings.tick_seconds * 10,
            next_run_time=datetime.now(self.settings.tz),
        )
        self._aps.start()

    def shutdown(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)

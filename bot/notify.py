"""Telling people what happened, each in their own language, through the outbox.

`notify` renders one letter per recipient in their language and queues it in the caller's
transaction: the notification is stored with the change that causes it, or not at all. The
key names the occasion (an event, a reminder, an announcement); queuing the same key again for
the same person changes nothing, so a job run twice sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import event as sa_event
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.common_texts import REASON_LINE
from bot.config import Settings
from bot.db.models import Suggestion, SuggestionEvent, User
from bot.keyboards.triage import answer as answer_keyboard
from bot.outbox import store
from bot.outbox.store import Letter
from bot.presenters import category_name, state_label
from bot.runtime.clock import Clock
from bot.runtime.i18n import user_locale
from bot.services.suggestions import tracking
from bot.suggestion_texts import DEPUTY_ASKS, FOLLOWED_MOVED, REASSIGNED, RECLASSIFIED, SEE_MY, YOURS_MOVED
from core.deadlines import quiet_until
from core.permissions import PRIVATE_EVENT_KINDS
from core.safe_html import esc

log = logging.getLogger(__name__)

Rendered = str | tuple[str, InlineKeyboardMarkup | None]


class Notifier:
    def __init__(self, i18n: I18n, clock: Clock, settings: Settings) -> None:
        self.i18n = i18n
        self.clock = clock
        self.settings = settings
        self._wakers: list[Callable[..., None]] = []

    def on_queued(self, waker: Callable[..., None]) -> None:
        """`waker` runs after each commit that queued something (the sender's wake)."""
        self._wakers.append(waker)

    async def notify(
        self,
        session: AsyncSession,
        key: str,
        kind: str,
        recipients: Iterable[User],
        render: Callable[[User], Rendered],
        *,
        urgent: bool = True,
        media_kind: str | None = None,
        media: str | None = None,
        blob: bytes | None = None,
        blob_name: str | None = None,
        edit_key: str | None = None,
        created_by: int | None = None,
        summary: str | None = None,
    ) -> int:
        """Queues `render(user)` for each recipient; returns how many new rows will be sent.

        Non-urgent letters written during the quiet hours wait until they end.
        """
        now = self.clock.now()
        notification, new = await store.notification(
            session, key, kind, now, created_by=created_by, summary=summary, blob=blob, blob_name=blob_name
        )
        if not new:
            return 0  # queued before (a job run twice, a double click): its rows exist already
        due = now
        if not urgent:
            due = (
                quiet_until(now, self.settings.quiet_start, self.settings.quiet_end, self.settings.tz) or now
            )
        queued = 0
        seen: set[int] = set()
        for user in recipients:
            if user.id in seen:
                continue
            seen.add(user.id)  # type: ignore[arg-type]
            text, markup = self.render(user, render)
            letter = Letter(text, markup, media_kind, media, edit_key)
            queued += await store.add_delivery(session, notification.id, user, letter, due, now)  # type: ignore[arg-type]
        self._wake_after_commit(session)
        return queued

    async def queued(self, session: AsyncSession, key: str) -> bool:
        """Whether this occasion was queued already: clock jobs that see the same deadline every
        tick ask first, before gathering recipients they would not need."""
        return await store.exists(session, key)

    def _wake_after_commit(self, session: AsyncSession) -> None:
        """The senders look for work as soon as the transaction that queued it commits.

        One listener per session, and a flag per transaction: SQLAlchemy would not register the
        same listener twice, so a second notification after a commit must not rely on that."""
        sync = session.sync_session
        sync.info["outbox_queued"] = True
        if not sync.info.get("outbox_listening"):
            sync.info["outbox_listening"] = True
            sa_event.listen(sync, "after_commit", self._after_commit)

    def _after_commit(self, sync_session: object) -> None:
        if sync_session.info.pop("outbox_queued", False):  # type: ignore[attr-defined]
            for waker in self._wakers:
                waker()

    def render(self, user: User, render: Callable[[User], Rendered]) -> tuple[str, dict[str, Any] | None]:
        with self.i18n.context(), self.i18n.use_locale(user_locale(user, self.i18n.default_locale)):
            rendered = render(user)
        text, markup = rendered if isinstance(rendered, tuple) else (rendered, None)
        return text, markup.model_dump(mode="json", exclude_none=True) if markup else None

    async def suggestion_changed(
        self,
        session: AsyncSession,
        suggestion: Suggestion,
        event: SuggestionEvent,
        recipients: Iterable[User],
    ) -> int:
        """The author and the followers hear of every change, except the one who made it."""
        others = [user for user in recipients if user.id != event.actor_id]
        return await self.notify(
            session,
            f"suggestion-event:{event.id}",
            "suggestion",
            others,
            lambda user: self._change_message(suggestion, event, user.id == suggestion.resident_id),
            # A question needs an answer soon; news of a step can wait for the morning.
            urgent=event.kind == "ask",
        )

    @staticmethod
    def _change_message(suggestion: Suggestion, event: SuggestionEvent, own: bool) -> Rendered:
        code = tracking(suggestion)
        if own and event.kind == "ask":
            text = _(DEPUTY_ASKS)
            return text.format(tracking=code, question=esc(event.reason or "")), answer_keyboard(suggestion)
        head = _(YOURS_MOVED) if own else _(FOLLOWED_MOVED)
        lines = [
            head.format(tracking=code),
            f"{state_label(event.old_state)} → {state_label(event.new_state)}",
        ]
        if event.kind == "reclassify":
            lines[1] = _(RECLASSIFIED).format(category=category_name(suggestion.category))
        elif event.kind == "reassign":
            lines[1] = _(REASSIGNED).format(street=esc(event.reason or ""))
        elif event.reason and (own or event.kind not in PRIVATE_EVENT_KINDS):
            # A question and its answer stay between the author and the deputies.
            lines.append(_(REASON_LINE).format(reason=esc(event.reason)))
        if own:
            lines.append(_(SEE_MY))
        return "\n".join(lines)

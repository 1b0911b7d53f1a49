"""A token bucket per person: a flood is answered "too fast, not saved", never dropped silently."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import gettext as _


class TokenBucket:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class ThrottlingMiddleware(BaseMiddleware):
    """Per-process buckets; `time_source` lets the sandbox count script steps as seconds."""

    def __init__(self, rate: float, burst: int, time_source: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.time_source = time_source
        self.buckets: dict[int, TokenBucket] = {}

    def _forget_rested(self, now: float) -> None:
        """A bucket that has refilled is the same as no bucket: drop those, so memory stays flat."""
        if len(self.buckets) < 10_000:
            return
        rested = now - self.burst / self.rate
        self.buckets = {key: b for key, b in self.buckets.items() if b.updated > rested}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender = data.get("event_from_user")
        if sender is None:
            return await handler(event, data)
        now = self.time_source()
        bucket = self.buckets.get(sender.id)
        if bucket is None:
            self._forget_rested(now)
            bucket = self.buckets[sender.id] = TokenBucket(self.rate, self.burst, now)
        if bucket.take(now):
            return await handler(event, data)
        if isinstance(event, Update) and event.message:
            await event.message.answer(_("您发送得太快了，这条消息没有保存。请稍等几秒再发。"))
        elif isinstance(event, Update) and event.callback_query:
            await event.callback_query.answer(_("操作太快了，请稍等几秒再试。"), show_alert=True)
        return None

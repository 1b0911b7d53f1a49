"""Pacing sends to stay under a rate: a token bucket that hands out waiting times.

Pure arithmetic on the times it is given, so it can be tested without waiting; the outbox sender
sleeps for whatever `reserve` returns. Reservations are taken in order, so concurrent senders
sharing one bucket queue up instead of racing for the same token.
"""

from __future__ import annotations

from collections import OrderedDict


class Pacer:
    """At most `rate` events a second on average, with up to `burst` at once."""

    def __init__(self, rate: float, burst: float = 1.0) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self.rate, self.burst = rate, burst
        self._free_at: float | None = None  # when the bucket would be full again

    def reserve(self, now: float) -> float:
        """Takes the next slot and returns how long to wait before using it (0 = at once)."""
        interval = 1.0 / self.rate
        window = (self.burst - 1) * interval
        free_at = now - window if self._free_at is None else max(self._free_at, now - window)
        wait = max(0.0, free_at - now)
        self._free_at = free_at + interval
        return wait

    def pause_until(self, moment: float) -> None:
        """Nothing goes out before `moment` (Telegram said 429: retry after …)."""
        if self._free_at is None or self._free_at < moment:
            self._free_at = moment


class ChatPacers:
    """One pacer per chat, forgetting the least recently used beyond `size` chats."""

    def __init__(self, rate: float, burst: float, size: int = 50_000) -> None:
        self.rate, self.burst, self.size = rate, burst, size
        self._pacers: OrderedDict[int, Pacer] = OrderedDict()

    def __getitem__(self, chat_id: int) -> Pacer:
        pacer = self._pacers.pop(chat_id, None) or Pacer(self.rate, self.burst)
        self._pacers[chat_id] = pacer
        if len(self._pacers) > self.size:
            self._pacers.popitem(last=False)
        return pacer

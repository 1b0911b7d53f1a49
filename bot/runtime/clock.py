"""Time comes from a clock object, so tests and the sandbox can move it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    tz: tzinfo

    def now(self) -> datetime: ...


class SystemClock:
    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


Listener = Callable[[datetime], Awaitable[None]]


class _MovableClock:
    """A clock that can be moved forward; listeners then run whatever fell due."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._listeners: list[Listener] = []

    def now(self) -> datetime:
        raise NotImplementedError

    def _set(self, moment: datetime) -> None:
        raise NotImplementedError

    def on_advance(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def move_to(self, moment: datetime) -> None:
        """Move forward without running what fell due: the time between two of the scheduler's
        ticks, when a press can arrive after a deadline no tick has acted on yet."""
        if moment.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware time")
        if moment < self.now():
            raise ValueError(f"the clock only moves forward (now {self.now().isoformat()})")
        self._set(moment)

    async def advance_to(self, moment: datetime) -> None:
        """Move forward, then run the listeners (the scheduler's tick)."""
        self.move_to(moment)
        for listener in self._listeners:
            await listener(self.now())


class ManualClock(_MovableClock):
    """Stands still until moved: for tests."""

    def __init__(self, start: datetime, tz: tzinfo | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware time")
        super().__init__(tz or start.tzinfo)
        self._now = start.astimezone(self.tz)

    def now(self) -> datetime:
        return self._now

    def _set(self, moment: datetime) -> None:
        self._now = moment.astimezone(self.tz)


class AdjustableClock(_MovableClock):
    """Runs like the system clock, but can be moved forward: for the sandbox."""

    def __init__(self, tz: tzinfo, start: datetime | None = None) -> None:
        super().__init__(tz)
        self._offset = timedelta()
        if start is not None:  # a script written for a given day replays the same any day
            self._set(start)

    def now(self) -> datetime:
        return datetime.now(self.tz) + self._offset

    def _set(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(self.tz)

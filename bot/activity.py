"""Counts updates from arrival to the end of their handling; the sandbox waits on it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class Activity:
    started: int = 0
    finished: int = 0
    # Updates whose handling raised: the sandbox's exit status and the tests read these.
    failures: deque[tuple[int, BaseException]] = field(default_factory=lambda: deque(maxlen=100))

    @property
    def in_flight(self) -> int:
        return self.started - self.finished

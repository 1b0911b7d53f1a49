"""Residents appear to deputies and in logs as 居民#4821, never by their Telegram id."""

from __future__ import annotations

import hashlib
import hmac

_DIGITS = (4, 5, 6, 8)


def pseudonym_code(secret: bytes, telegram_id: int, attempt: int = 0) -> str:
    """A stable number for a person; `attempt` > 0 gives a longer one after a collision.

    A keyed hash means nobody can run the mapping backwards from the code to the Telegram id
    without the office's secret.
    """
    digest = hmac.new(secret, f"{telegram_id}:{attempt}".encode(), hashlib.sha256).digest()
    digits = _DIGITS[min(attempt, len(_DIGITS) - 1)]
    low = 10 ** (digits - 1)
    return str(low + int.from_bytes(digest[:8], "big") % (9 * low))

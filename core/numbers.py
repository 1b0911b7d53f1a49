"""Numbers that come from outside — callback data, URL paths, typed commands — and name a row or
count something stored.

The database's integer columns (ids, versions, pages, counts) are 32-bit on PostgreSQL (SQLModel's
`int` is INTEGER); SQLite's are 64-bit. A number past that range is not "no such row" to the
database but an error (PostgreSQL: "value out of int32 range"; SQLite: OverflowError), so a forged
`pa:99999999999999999999:show` would end in a traceback. Every number from outside is therefore
bounded to the narrower range where it enters (DESIGN.md, "Security and privacy": bad input is
refused politely, never raised).
"""

from __future__ import annotations

INT_MIN = -(2**31)  # PostgreSQL INTEGER
INT_MAX = 2**31 - 1


def in_range(value: int) -> bool:
    """True when `value` fits every integer column of both databases."""
    return INT_MIN <= value <= INT_MAX


def parse_int(text: str, minimum: int = 0) -> int | None:
    """`text` as an int if it is ASCII digits (an optional leading "-" when `minimum` < 0) within
    [max(minimum, INT_MIN), INT_MAX]; None otherwise (empty, other digits such as "٣" or "３",
    spaces, signs, too large)."""
    digits = text[1:] if text.startswith("-") and minimum < 0 else text
    if not digits or len(digits) > 10 or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    return value if max(minimum, INT_MIN) <= value <= INT_MAX else None

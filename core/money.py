"""Money as people write it in a budget (300万元, 12.5万, 800000元) and as we show it."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_AMOUNT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(亿元|亿|万元|万|元)?\s*$")
_UNITS = {"亿元": 100_000_000, "亿": 100_000_000, "万元": 10_000, "万": 10_000, "元": 1}
_LIMIT = 10**13  # ten trillion 元: anything above is a typing error


def parse_yuan(text: str, default_unit: str = "万元") -> int | None:
    """The amount in whole 元, or None when `text` is not an amount (a sign, Chinese numerals,
    words). Units 元, 万元 (万), 亿元 (亿); a bare number is in `default_unit` (万元)."""
    normal = unicodedata.normalize("NFKC", text).replace(",", "").replace("，", "")
    match = _AMOUNT.match(normal)
    if match is None:
        return None
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        return None
    unit = match.group(2) or default_unit
    yuan = number * _UNITS[unit]
    whole = int(yuan.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return whole if 0 <= whole < _LIMIT else None


def wan(yuan: int) -> str:
    """In 万 with at most two decimals and no trailing zeros: 3000000 → "300", 125000 → "12.5"."""
    amount = (Decimal(yuan) / 10_000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def share(part: int, whole: int) -> int | None:
    """`part` as a whole percentage of `whole`, or None without a budget."""
    if whole <= 0:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))

"""Is a message usable as a suggestion? Rules for the text residents send."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

MIN_MEANINGFUL = 4
MAX_CHARS = 2000


class TextProblem(StrEnum):
    NO_WORDS = "no_words"  # only emoji, punctuation or spaces
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


def meaningful_characters(text: str) -> int:
    """Letters and digits of any script; emoji, symbols, punctuation and spaces do not count."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def check_text(text: str, max_chars: int = MAX_CHARS) -> TextProblem | None:
    count = meaningful_characters(text)
    if count == 0:
        return TextProblem.NO_WORDS
    if len(text) > max_chars:
        return TextProblem.TOO_LONG
    if count < MIN_MEANINGFUL:
        return TextProblem.TOO_SHORT
    return None

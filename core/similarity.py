"""How alike two suggestions read: for the "follow that one instead" offer."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Above this the bot offers to follow the existing suggestion (the resident may still submit).
NEAR_DUPLICATE = 0.5


def _bigrams(text: str) -> frozenset[str]:
    letters = "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())
    if len(letters) < 2:
        return frozenset({letters}) if letters else frozenset()
    return frozenset(letters[i : i + 2] for i in range(len(letters) - 1))


def similarity(first: str, second: str) -> float:
    """Overlap of character pairs, relative to the shorter text (a short restatement counts)."""
    a, b = _bigrams(first), _bigrams(second)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b)) * (2 * min(len(a), len(b)) / (len(a) + len(b))) ** 0.5


def most_similar(
    text: str, candidates: Iterable[tuple[int, str]], threshold: float = NEAR_DUPLICATE, limit: int = 3
) -> list[tuple[int, float]]:
    scored = [(key, similarity(text, other)) for key, other in candidates]
    return sorted([(k, s) for k, s in scored if s >= threshold], key=lambda item: (-item[1], item[0]))[:limit]

"""Keyword-weight proposals from corrections: the office reviews them, nothing changes by itself."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from core.classify import Classifier


@dataclass(frozen=True)
class Correction:
    text: str
    predicted: str | None
    corrected: str


@dataclass(frozen=True)
class Proposal:
    kind: str  # "add" a keyword to a category, or "lower" one that misled
    word: str
    category: str
    support: int  # corrections behind it
    note: str


def _words(classifier: Classifier, text: str) -> set[str]:
    return {w for w in classifier.tokens(text) if len(w) >= 2 and not w.isdigit() and w.strip()}


def propose(
    classifier: Classifier, corrections: Iterable[Correction], min_support: int = 2
) -> list[Proposal]:
    corrections = [c for c in corrections if c.predicted != c.corrected]
    keywords = {category.code: category.keywords for category in classifier.categories}
    towards: dict[str, Counter[str]] = defaultdict(Counter)  # category -> word -> corrections
    anywhere: Counter[str] = Counter()
    misleading: dict[str, Counter[str]] = defaultdict(Counter)  # wrong category -> keyword -> times
    for correction in corrections:
        words = _words(classifier, correction.text)
        towards[correction.corrected].update(words)
        anywhere.update(words)
        if correction.predicted in keywords:
            found = classifier.matched_keywords(correction.text)
            misleading[correction.predicted].update(w for w in found if w in keywords[correction.predicted])
    proposals: list[Proposal] = []
    for category, counts in towards.items():
        for word, support in counts.items():
            elsewhere = anywhere[word] - support
            if support >= min_support and elsewhere == 0 and word not in keywords.get(category, {}):
                proposals.append(
                    Proposal(
                        "add",
                        word,
                        category,
                        support,
                        f"in {support} texts corrected to {category}, in no other",
                    )
                )
    for category, counts in misleading.items():
        for word, support in counts.items():
            if support >= min_support:
                proposals.append(
                    Proposal(
                        "lower",
                        word,
                        category,
                        support,
                        f"pointed {support} corrected texts wrongly to {category}",
                    )
                )
    return sorted(proposals, key=lambda p: (p.kind, -p.support, p.category, p.word))

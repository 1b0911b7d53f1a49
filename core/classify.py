"""Plain-language text → ranked categories, a confidence, and the keywords that decided it.

jieba segments the text (every keyword is in its dictionary, so a keyword comes out as one
word); each word that is a keyword adds its weight to its categories, scaled by how specific the
keyword is (an IDF over categories) and by where it stands (the first sentence is usually the
topic). Deterministic: the same text always gets the same answer.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jieba
import opencc

from core.categories import Category

# A sentence ends at these marks; the first one names the topic more often than not.
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")
TITLE_BOOST = 1.6
# Below this confidence the bot asks the resident to choose.
UNSURE_BELOW = 0.35
# Long texts are classified on their beginning: enough to know the topic, bounded in time.
MAX_CHARS = 1500


@dataclass(frozen=True)
class Classification:
    category: str | None  # None: unsure, ask the person
    confidence: float
    keywords: tuple[str, ...]
    alternatives: tuple[tuple[str, float], ...]  # every category with a score, best first

    @property
    def ranked(self) -> list[str]:
        return [code for code, _score in self.alternatives]


class _Segmenter(jieba.Tokenizer):
    """jieba with the word probabilities of its route search remembered.

    The same segmentation as jieba's (a test compares them); jieba recomputes log(freq) for every
    candidate word of every sentence, which is most of its time on short texts.
    """

    # About 11 entries per suggestion (the development set): bounded at a few MB, cleared when full.
    _MEMO_LIMIT = 50_000

    def __init__(self) -> None:
        super().__init__()
        self._logp: dict[str, float] = {}

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        super().add_word(word, freq, tag)
        self._logp.clear()

    def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict[int, tuple[float, int]]) -> None:
        if len(self._logp) > self._MEMO_LIMIT:
            self._logp.clear()
        logp, freq = self._logp, self.FREQ
        logtotal = math.log(self.total)
        size = len(sentence)
        route[size] = (0.0, 0)
        for idx in range(size - 1, -1, -1):
            best: tuple[float, int] | None = None
            for end in DAG[idx]:
                word = sentence[idx : end + 1]
                probability = logp.get(word)
                if probability is None:
                    probability = logp[word] = math.log(freq.get(word) or 1) - logtotal
                candidate = (probability + route[end + 1][0], end)
                if best is None or candidate > best:
                    best = candidate
            route[idx] = best  # type: ignore[assignment]


class Classifier:
    def __init__(
        self,
        categories: Sequence[Category],
        *,
        user_words: Iterable[str] = (),
        cache_dir: Path | None = None,
        unsure_below: float = UNSURE_BELOW,
    ) -> None:
        self.categories = tuple(categories)
        self.unsure_below = unsure_below
        self._converter = opencc.OpenCC("t2s")
        self._tokenizer = _Segmenter()
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            self._tokenizer.tmp_dir = str(cache_dir)
        jieba.setLogLevel(logging.WARNING)
        self._tokenizer.initialize()
        # keyword -> [(category index, weight × specificity)]
        self._index: dict[str, list[tuple[int, float]]] = {}
        holders: dict[str, int] = {}
        for category in self.categories:
            for word in category.keywords:
                holders[word] = holders.get(word, 0) + 1
        count = len(self.categories)
        for position, category in enumerate(self.categories):
            for word, weight in category.keywords.items():
                specificity = math.log(1 + count / holders[word]) / math.log(1 + count)
                self._index.setdefault(word, []).append((position, weight * specificity))
        for word in [*self._index, *user_words]:
            # A high frequency keeps the word whole even inside longer compounds.
            self._tokenizer.add_word(word, freq=2000 * max(1, len(word)))
        self._max_keyword = max((len(word) for word in self._index), default=1)

    def normalize(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
        return self._converter.convert(text).lower()

    def tokens(self, text: str) -> list[str]:
        return self._tokenizer.lcut(self.normalize(text), HMM=False)

    def matched_keywords(self, text: str) -> set[str]:
        """Every keyword the text contains, as classify() finds them."""
        return {keyword for word in self.tokens(text) for keyword, _factor in self._keywords_in(word)}

    def classify(self, text: str) -> Classification:
        normalized = self.normalize(text)
        first_end = _SENTENCE_END.search(normalized)
        title_end = first_end.start() if first_end else len(normalized)
        scores = [0.0] * len(self.categories)
        hits: list[dict[str, float]] = [{} for _ in self.categories]
        position = 0
        for word in self._tokenizer.lcut(normalized, HMM=False):
            boost = TITLE_BOOST if position < title_end else 1.0
            position += len(word)
            for keyword, factor in self._keywords_in(word):
                for index, weight in self._index[keyword]:
                    seen = hits[index].get(keyword, 0.0)
                    # Repeats count, less and less: a complaint repeats its topic, but a word
                    # said five times is not five reasons.
                    gain = weight * boost * factor / (1 + seen)
                    hits[index][keyword] = seen + 1
                    scores[index] += gain
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        best, second = scores[order[0]], scores[order[1]] if len(order) > 1 else 0.0
        confidence = _confidence(best, second)
        top = order[0]
        sure = best > 0 and confidence >= self.unsure_below
        return Classification(
            category=self.categories[top].code if sure else None,
            confidence=round(confidence, 4),
            keywords=tuple(sorted(hits[top], key=lambda k: (-hits[top][k], k))) if best > 0 else (),
            alternatives=tuple((self.categories[i].code, round(scores[i], 4)) for i in order),
        )

    def _keywords_in(self, word: str) -> Iterable[tuple[str, float]]:
        if word in self._index:
            yield word, 1.0
            return
        if len(word) < 3:
            return
        # A compound jieba kept whole (公交车站, 小区物业) still tells its parts, a little less.
        for size in range(min(len(word) - 1, self._max_keyword), 1, -1):
            for start in range(len(word) - size + 1):
                part = word[start : start + size]
                if part in self._index:
                    yield part, 0.8


def _confidence(best: float, second: float) -> float:
    """High when the winner is clear (margin) and well supported (absolute score)."""
    if best <= 0:
        return 0.0
    margin = (best - second) / best
    support = 1 - math.exp(-best / 3)
    return max(0.0, min(1.0, (0.35 + 0.65 * margin) * support))

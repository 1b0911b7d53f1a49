"""Plain-language text → ranked categories, a confidence, and the words that decided it.

How a text is read (DESIGN.md "Classification"; issue 16):

1. Normalised: full-width forms folded (NFKC), traditional characters *and* Taiwan vocabulary
   converted to mainland simplified (OpenCC ``tw2sp``, then ``hk2s`` for Hong Kong variants),
   lower-cased.
2. Scanned left to right for the longest word of the lexicon at each place: the categories'
   keywords, the regional words (街灯 → 路灯, 屋苑 → 小区, read as the keyword they stand for) and
   the neutral words (目的 holds 的士 but is no taxi). A keyword inside a longer lexicon word does
   not count, so words match whole.
3. Every keyword adds its weight (strong 3, normal 2, weak 1) to its categories, scaled by how
   specific it is (an IDF over categories), by where it stands (the first sentence names the topic
   more often than not), less when it only names a place (学校附近 is a landmark) and less for
   each repeat. Context rules add the meaning of words that come
   together (电梯 with 加装 is housing, with 故障 safety), so the evidence of the whole text
   decides, not one strong word; a rule's words then count for its category only (教师 with 工资:
   工资's evidence is education's, not labour's). The k-th keyword of a category counts
   ``decay**(k-1)``, so many words of a text's setting do not outweigh its topic.
4. When no keyword matches at all, morphemes back off: the character pairs and single characters
   that belong mostly to one category's keywords (残, 涝, 灭火…), with low weights.

Deterministic (no learning at run time, no randomness) and explainable: ``keywords`` lists the
words (or morphemes) that gave the winning category its score, strongest first. Fast: one dict
look-up per character and candidate length, no segmentation model (jieba is loaded only by
``tokens()``, which the correction-learning tool uses).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import opencc

from core.categories import Category, Lexicon, default_lexicon

# A sentence ends at these marks; the first one names the topic more often than not.
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")
# How much more the first sentence counts, and how much each further keyword of a category counts
# (the k-th strongest decay**(k-1)). Learned on both development files by held-out source: the
# values the most folds choose (`classify --eval FILE --by-source` shows each fold's choice).
TITLE_BOOST = 3.0
DECAY = 0.85
# The values tried when learning them (core.evaluation.by_source).
TITLE_BOOSTS = (1.6, 2.2, 3.0, 4.0)
DECAYS = (1.0, 0.85, 0.7, 0.55)
# Below this confidence the bot asks the resident to choose. Learned on both development files
# (core.evaluation.learn_threshold; `classify --eval FILE --by-source` shows it per held-out fold).
UNSURE_BELOW = 0.44
# Long texts are classified on their beginning: enough to know the topic, bounded in time.
MAX_CHARS = 1500
# A keyword followed by a locative (学校附近, 医院门口, 地铁站旁) names where a thing is, not what it
# is about: it counts this much.
LANDMARK_FACTOR = 0.35
_LOCATIVES = ("附近", "旁边", "旁", "门口", "门前", "门外", "周边", "周围", "对面", "一带", "边上", "隔壁")
# Morpheme back-off: a character pair or a single character counts for a category when at least
# this share of the keyword weight holding it is that category's.
MORPHEME_SHARE = 0.75
BIGRAM_WEIGHT = 0.6
CHAR_WEIGHT = 0.3
# A single character is a morpheme only when it occurs in this many keywords at least.
CHAR_MIN_KEYWORDS = 3
# The most frequent characters of modern Chinese (the head of the usual character-frequency
# lists of 现代汉语 corpora): they occur in any text, so they are no morpheme on their own, and a
# pair of two of them is none either.
COMMON_CHARS = frozenset(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计"
    "或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黑断线"
)


@dataclass(frozen=True)
class Classification:
    category: str | None  # None: unsure, ask the person
    confidence: float
    keywords: tuple[str, ...]  # the words (or morphemes) that decided, strongest first
    alternatives: tuple[tuple[str, float], ...]  # every category with a score, best first

    @property
    def ranked(self) -> list[str]:
        return [code for code, _score in self.alternatives]


def _is_ascii_letter(char: str) -> bool:
    return "a" <= char <= "z" or "0" <= char <= "9"


class Classifier:
    def __init__(
        self,
        categories: Sequence[Category],
        *,
        user_words: Iterable[str] = (),
        cache_dir: Path | None = None,
        unsure_below: float = UNSURE_BELOW,
        lexicon: Lexicon | None = None,
        title_boost: float = TITLE_BOOST,
        decay: float = DECAY,
    ) -> None:
        """``user_words`` are kept whole like neutral words; ``cache_dir`` holds jieba's cache for
        ``tokens()``; ``lexicon`` defaults to the regional, neutral and context tables of
        core/data/categories.toml; ``title_boost`` multiplies the evidence of the first sentence
        and ``decay`` how much each further keyword of a category counts (the k-th strongest counts
        decay**(k-1)), so a text that names many things of its setting (a school, a hospital) is not
        carried by their number; both are learned on held-out sources (core.evaluation.by_source)."""
        self.categories = tuple(categories)
        self.title_boost = title_boost
        self.decay = decay
        self.unsure_below = unsure_below
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self._cache_dir = cache_dir
        self._jieba = None
        self._user_words = tuple(user_words)
        # Traditional characters and Taiwan/Hong Kong vocabulary → mainland simplified; a text with
        # no character either converter changes is left as it is (and costs nothing).
        self._converters = (opencc.OpenCC("tw2sp"), opencc.OpenCC("hk2s"))
        self._convertible = _convertible_chars(self._converters)
        codes = {category.code: index for index, category in enumerate(self.categories)}
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
        # Every word the scanner knows -> the keyword it stands for ("" for a neutral word).
        entries: dict[str, str] = {word: word for word in self._index}
        for word in self.lexicon.neutral:
            entries.setdefault(word, "")
        self._rules: dict[str, list[tuple[tuple[str, ...], int, float, str]]] = {}
        for rule in self.lexicon.context:
            if rule.category not in codes:
                continue
            for word in rule.words:
                entries.setdefault(word, "")
            # Each rule is looked at when its first word is seen, and fires when all are.
            self._rules.setdefault(rule.words[0], []).append(
                (rule.words, codes[rule.category], rule.weight, "+".join(rule.words))
            )
        for variant, standard in self.lexicon.regional.items():
            if variant not in self._index:
                entries[variant] = standard
        self._entries = entries
        # A lexicon word holding words of the context rules (电梯故障 holds 电梯, 故障).
        rule_words = {word for rules in self._rules.values() for words, *_rest in rules for word in words}
        self._rule_parts = {
            entry: parts
            for entry in entries
            if (parts := tuple(word for word in rule_words if word in entry and word != entry))
        }
        # Every beginning of a lexicon word: the scan extends a candidate while it is one.
        self._prefixes = frozenset(word[:end] for word in entries for end in range(1, len(word) + 1))
        self._bigrams, self._chars = self._morphemes()

    # -- reading ------------------------------------------------------------------------------

    def normalize(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
        if not self._convertible.isdisjoint(text) or (text and max(text) > "\uffff"):
            for converter in self._converters:
                text = converter.convert(text)
        return text.lower()

    def scan(self, normalized: str) -> list[tuple[int, str, str]]:
        """(position, word as written, what it stands for) of every lexicon word, longest first."""
        found = []
        prefixes, entries = self._prefixes, self._entries
        size = len(normalized)
        resume = 0
        for at, char in enumerate(normalized):
            if at < resume or char not in prefixes:
                continue
            ascii_start = char.isascii() and _is_ascii_letter(char)
            if ascii_start and at > 0 and _is_ascii_letter(normalized[at - 1]):
                continue  # inside an English word
            best = 0
            meaning = ""
            end = at + 1
            piece = char
            while True:
                candidate = entries.get(piece)
                if candidate is not None and not (
                    ascii_start and end < size and _is_ascii_letter(normalized[end])
                ):  # "bus" inside "business" is no bus
                    best, meaning = end - at, candidate
                end += 1
                if end > size:
                    break
                piece = normalized[at:end]
                if piece not in prefixes:
                    break
            if best:
                found.append((at, normalized[at : at + best], meaning))
                resume = at + best
        return found

    def tokens(self, text: str) -> list[str]:
        """jieba's words of the normalised text (for proposals from corrections; slow to load)."""
        if self._jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            if self._cache_dir is not None:
                self._cache_dir.mkdir(parents=True, exist_ok=True)
                tokenizer.tmp_dir = str(self._cache_dir)
            tokenizer.initialize()
            for word in [*self._entries, *self._user_words]:
                tokenizer.add_word(word, freq=2000 * max(1, len(word)))
            self._jieba = tokenizer
        return self._jieba.lcut(self.normalize(text), HMM=False)

    def matched_keywords(self, text: str) -> set[str]:
        """Every keyword the text contains, as classify() finds them (regional words as theirs)."""
        return {meaning for _at, _word, meaning in self.scan(self.normalize(text)) if meaning in self._index}

    # -- deciding -----------------------------------------------------------------------------

    def classify(self, text: str) -> Classification:
        normalized = self.normalize(text)
        first_end = _SENTENCE_END.search(normalized)
        title_end = first_end.start() if first_end else len(normalized)
        scores = [0.0] * len(self.categories)
        # Where each category's last keyword ends: Chinese phrases are right-headed, so of two
        # categories with equal evidence the one named last (生活污水管网: 管网) wins the tie.
        last = [0] * len(self.categories)
        # per category: shown word -> (evidence, times seen)
        hits: list[dict[str, list[float]]] = [{} for _ in self.categories]
        seen: dict[str, int] = {}  # word (as the keyword it stands for) -> first position
        index, parts = self._index, self._rule_parts
        found = self.scan(normalized)
        for at, word, meaning in found:
            seen.setdefault(meaning or word, at)
            for part in parts.get(meaning or word, ()):
                seen.setdefault(part, at)  # 电梯故障 holds 电梯 and 故障 for the context rules
            weights = index.get(meaning)
            if not weights:
                continue
            boost = self.title_boost if at < title_end else 1.0
            if normalized.startswith(_LOCATIVES, at + len(word)):
                boost *= LANDMARK_FACTOR
            shown = word if word == meaning else f"{word}={meaning}"
            for category, weight in weights:
                record = hits[category].setdefault(shown, [0.0, 0.0])
                # Repeats count, less and less: a complaint repeats its topic, but a word
                # said five times is not five reasons.
                gain = weight * boost / (1 + record[1])
                record[0] += gain
                record[1] += 1
                scores[category] += gain
                last[category] = at + 1
        rules = self._rules
        for first in [word for word in seen if word in rules]:
            for words, category, weight, shown in rules[first]:
                if not all(word in seen for word in words):
                    continue
                if all(seen[word] < title_end for word in words):
                    weight *= self.title_boost
                hits[category].setdefault(shown, [0.0, 1.0])[0] += weight
                scores[category] += weight
                # The pair means its rule's category: its words' evidence for other categories
                # is evidence for that one (教师 with 工资 is no labour matter), also where a
                # longer keyword holds the word (拖欠工资 holds 工资).
                for other, record in enumerate(hits):
                    if other == category:
                        continue
                    for key in [key for key in record if self._holds(key, words)]:
                        moved = record.pop(key)[0]
                        scores[other] -= moved
                        scores[category] += moved
                        hits[category].setdefault(key, [0.0, 1.0])[0] += moved
        if self.decay < 1:
            for category, record in enumerate(hits):
                if len(record) > 1:
                    gains = sorted((item[0] for item in record.values()), reverse=True)
                    scores[category] = sum(gain * self.decay**rank for rank, gain in enumerate(gains))
        if not any(scores):
            self._back_off(normalized, scores, hits)
        order = sorted(range(len(scores)), key=lambda i: (-round(scores[i], 6), -last[i], i))
        best = scores[order[0]]
        second = scores[order[1]] if len(order) > 1 else 0.0
        confidence = _confidence(best, second)
        top = order[0]
        sure = best > 0 and confidence >= self.unsure_below
        decided = sorted(hits[top].items(), key=lambda item: (-item[1][0], item[0]))
        return Classification(
            category=self.categories[top].code if sure else None,
            confidence=round(confidence, 4),
            keywords=tuple(word for word, _record in decided) if best > 0 else (),
            alternatives=tuple((self.categories[i].code, round(scores[i], 4)) for i in order),
        )

    def _holds(self, shown: str, words: tuple[str, ...]) -> bool:
        """Whether a shown keyword (``word`` or ``variant=word``) is, or holds, one of ``words``."""
        meaning = shown.rsplit("=", 1)[-1]
        return meaning in words or any(part in words for part in self._rule_parts.get(meaning, ()))

    def _back_off(self, normalized: str, scores: list[float], hits: list[dict[str, list[float]]]) -> None:
        """Morphemes of the keywords, for a text none of whose words is a keyword."""
        bigrams, chars = self._bigrams, self._chars
        for at in range(len(normalized)):
            for morpheme, table in ((normalized[at : at + 2], bigrams), (normalized[at], chars)):
                evidence = table.get(morpheme) if len(morpheme) == (2 if table is bigrams else 1) else None
                if evidence is None:
                    continue
                category, weight = evidence
                record = hits[category].setdefault(morpheme, [0.0, 0.0])
                gain = weight / (1 + record[1])
                record[0] += gain
                record[1] += 1
                scores[category] += gain

    def _morphemes(self) -> tuple[dict[str, tuple[int, float]], dict[str, tuple[int, float]]]:
        """Character pairs and single characters that belong mostly to one category's keywords.

        A morpheme's mass in a category is the summed weight of that category's keywords holding
        it; it counts for the category holding at least MORPHEME_SHARE of its mass, with a low
        weight scaled by that share. Pairs that are themselves weak (generic) keywords or neutral
        words do not count, nor anything that is not a CJK character.
        """
        weak = {
            word
            for category in self.categories
            for word, weight in category.keywords.items()
            if weight <= 1.0
        } | set(self.lexicon.neutral)
        pair_mass: dict[str, list[float]] = {}
        char_mass: dict[str, list[float]] = {}
        char_keywords: dict[str, int] = {}
        count = len(self.categories)
        for position, category in enumerate(self.categories):
            for word, weight in category.keywords.items():
                if not all("\u4e00" <= char <= "\u9fff" for char in word):
                    continue
                for pair in {word[i : i + 2] for i in range(len(word) - 1)}:
                    pair_mass.setdefault(pair, [0.0] * count)[position] += weight
                for char in set(word):
                    char_mass.setdefault(char, [0.0] * count)[position] += weight
                    char_keywords[char] = char_keywords.get(char, 0) + 1

        def distinctive(mass: dict[str, list[float]], weight: float, allowed) -> dict[str, tuple[int, float]]:  # type: ignore[no-untyped-def]
            table = {}
            for morpheme, per_category in mass.items():
                total = sum(per_category)
                best = max(range(count), key=lambda i: (per_category[i], -i))
                share = per_category[best] / total
                if share >= MORPHEME_SHARE and allowed(morpheme):
                    table[morpheme] = (best, round(weight * share, 4))
            return table

        bigrams = distinctive(
            pair_mass,
            BIGRAM_WEIGHT,
            lambda pair: pair not in weak and not (pair[0] in COMMON_CHARS and pair[1] in COMMON_CHARS),
        )
        chars = distinctive(
            char_mass,
            CHAR_WEIGHT,
            lambda char: (
                char_keywords[char] >= CHAR_MIN_KEYWORDS and char not in weak and char not in COMMON_CHARS
            ),
        )
        return bigrams, chars


def _convertible_chars(converters: Sequence[opencc.OpenCC]) -> frozenset[str]:
    """The CJK ideographs of the basic plane that any of the converters changes (a text with an
    ideograph beyond it, such as Cantonese 𨋢, is always converted)."""
    blocks = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
    chars = [chr(code) for first, last in blocks for code in range(first, last + 1)]
    changed: set[str] = set()
    for converter in converters:
        converted = converter.convert("\n".join(chars)).split("\n")
        if len(converted) == len(chars):
            changed.update(char for char, out in zip(chars, converted, strict=True) if out != char)
        else:  # a converter merged lines: check one character at a time
            changed.update(char for char in chars if converter.convert(char) != char)
    return frozenset(changed)


def _confidence(best: float, second: float) -> float:
    """High when the winner is clear (margin) and well supported (absolute score)."""
    if best <= 0:
        return 0.0
    margin = (best - second) / best
    support = 1 - math.exp(-best / 3)
    return max(0.0, min(1.0, (0.35 + 0.65 * margin) * support))

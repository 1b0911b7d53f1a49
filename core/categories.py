"""The ten categories, loaded from a data file an office can edit (core/data/categories.toml)."""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CATEGORIES_FILE = Path(__file__).resolve().parent / "data" / "categories.toml"
USER_DICT_FILE = Path(__file__).resolve().parent / "data" / "user_dict.txt"


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    keywords: Mapping[str, float]
    # keyword -> where it comes from (the `source` of its [[category.block]]); "" when unsourced
    sources: Mapping[str, str] = field(default_factory=dict)

    def name(self, locale: str) -> str:
        return self.zh if locale.startswith("zh") else self.en


# Keyword groups in the file and their weights.
KEYWORD_WEIGHTS = {"strong": 3.0, "normal": 2.0, "weak": 1.0}


def normalize_keyword(word: str) -> str:
    return unicodedata.normalize("NFKC", word).strip().lower()


class CategoryFileError(ValueError):
    """The categories file is not in the expected shape."""


def _keyword_groups(
    owner: str, entry: Mapping, source: str, keywords: dict[str, float], sources: dict[str, str]
) -> None:
    for group, weight in KEYWORD_WEIGHTS.items():
        words = entry.get(group, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise CategoryFileError(f"category {owner}: {group} must be a list of words")
        for word in words:
            word = normalize_keyword(word)
            if word not in keywords:
                keywords[word] = weight
                sources[word] = source


def parse_categories(data: dict) -> tuple[Category, ...]:
    """[[category]] entries: code, zh, en, and keywords in `strong`/`normal`/`weak` lists, either
    directly or in [[category.block]] tables that each name their `source`. A keyword listed twice
    keeps its first weight."""
    raw = data.get("category")
    if not isinstance(raw, list) or not raw:
        raise CategoryFileError("at least one [[category]] is required")
    categories: list[Category] = []
    for index, entry in enumerate(raw, start=1):
        try:
            code, zh, en = str(entry["code"]), str(entry["zh"]), str(entry["en"])
        except (KeyError, TypeError) as error:
            raise CategoryFileError(f"category {index}: missing {error}") from None
        keywords: dict[str, float] = {}
        sources: dict[str, str] = {}
        _keyword_groups(code, entry, "", keywords, sources)
        blocks = entry.get("block", [])
        if not isinstance(blocks, list):
            raise CategoryFileError(f"category {code}: block must be [[category.block]] tables")
        for block in blocks:
            source = block.get("source") if isinstance(block, dict) else None
            if not isinstance(source, str) or not source.strip():
                raise CategoryFileError(f"category {code}: every block needs a source")
            _keyword_groups(code, block, source.strip(), keywords, sources)
        categories.append(Category(code, zh, en, keywords, sources))
    codes = [category.code for category in categories]
    if len(set(codes)) != len(codes):
        raise CategoryFileError("category codes must be unique")
    return tuple(categories)


@dataclass(frozen=True)
class ContextRule:
    """Words that together mean a category more than any one of them (电梯 + 加装 → housing)."""

    words: tuple[str, ...]
    category: str
    weight: float
    source: str


@dataclass(frozen=True)
class Lexicon:
    """What the classifier reads besides the categories' keywords (all from categories.toml).

    regional: a word of one place or of traditional usage -> the word the keywords use
    (街灯 -> 路灯), matched as a whole word; neutral: common words that contain a keyword but do not
    mean it (目的 contains 的士), kept whole so that the keyword inside does not count; context:
    co-occurrence rules.
    """

    regional: Mapping[str, str] = field(default_factory=dict)
    neutral: frozenset[str] = frozenset()
    context: tuple[ContextRule, ...] = ()


def parse_lexicon(data: dict, codes: set[str] | None = None) -> Lexicon:
    regional: dict[str, str] = {}
    for block in data.get("regional", []):
        if not isinstance(block, dict) or not str(block.get("source", "")).strip():
            raise CategoryFileError("every [[regional]] block needs a source")
        words = block.get("words", {})
        if not isinstance(words, dict) or not all(isinstance(v, str) and v for v in words.values()):
            raise CategoryFileError("[[regional]] words must map a word to a word")
        for variant, standard in words.items():
            regional.setdefault(normalize_keyword(variant), normalize_keyword(standard))
    neutral: set[str] = set()
    for block in data.get("neutral", []):
        if not isinstance(block, dict) or not str(block.get("source", "")).strip():
            raise CategoryFileError("every [[neutral]] block needs a source")
        words = block.get("words", [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise CategoryFileError("[[neutral]] words must be a list of words")
        neutral.update(normalize_keyword(w) for w in words)
    context: list[ContextRule] = []
    for rule in data.get("context", []):
        try:
            words = tuple(normalize_keyword(w) for w in rule["words"])
            built = ContextRule(words, str(rule["category"]), float(rule["weight"]), str(rule["source"]))
        except (KeyError, TypeError, ValueError) as error:
            raise CategoryFileError(f"[[context]] rule {rule!r}: {error}") from None
        if len(words) < 2 or not built.source.strip():
            raise CategoryFileError(f"[[context]] rule {rule!r}: two words or more and a source")
        if codes is not None and built.category not in codes:
            raise CategoryFileError(f"[[context]] rule {rule!r}: unknown category")
        context.append(built)
    return Lexicon(regional, frozenset(neutral), tuple(context))


def load_lexicon(path: Path = CATEGORIES_FILE) -> Lexicon:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return parse_lexicon(data, {category.code for category in parse_categories(data)})


@cache
def default_lexicon() -> Lexicon:
    return load_lexicon()


def load_categories(path: Path = CATEGORIES_FILE) -> tuple[Category, ...]:
    return parse_categories(tomllib.loads(path.read_text(encoding="utf-8")))


@cache
def default_categories() -> tuple[Category, ...]:
    return load_categories()


def by_code(categories: tuple[Category, ...] | None = None) -> dict[str, Category]:
    return {category.code: category for category in (categories or default_categories())}


def find_category(text: str, categories: tuple[Category, ...] | None = None) -> Category | None:
    """The category `text` names: its code, Chinese or English name, any case and width
    ("eldercare", "养老济困", "Elderly care and relief"); None when it names none."""
    wanted = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    for category in categories or default_categories():
        if wanted in (category.code.casefold(), category.zh.casefold(), category.en.casefold()):
            return category
    return None


def load_user_words(path: Path = USER_DICT_FILE) -> tuple[str, ...]:
    """Domain words jieba should keep whole (加装电梯, 老旧小区, …): one a line, # comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(word for line in lines if (word := line.split("#", 1)[0].strip()))

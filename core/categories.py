"""The ten categories, loaded from a data file an office can edit (core/data/categories.toml)."""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
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

    def name(self, locale: str) -> str:
        return self.zh if locale.startswith("zh") else self.en


# Keyword groups in the file and their weights.
KEYWORD_WEIGHTS = {"strong": 3.0, "normal": 2.0, "weak": 1.0}


def normalize_keyword(word: str) -> str:
    return unicodedata.normalize("NFKC", word).strip().lower()


class CategoryFileError(ValueError):
    """The categories file is not in the expected shape."""


def parse_categories(data: dict) -> tuple[Category, ...]:
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
        for group, weight in KEYWORD_WEIGHTS.items():
            words = entry.get(group, [])
            if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
                raise CategoryFileError(f"category {code}: {group} must be a list of words")
            for word in words:
                keywords.setdefault(normalize_keyword(word), weight)
        categories.append(Category(code, zh, en, keywords))
    codes = [category.code for category in categories]
    if len(set(codes)) != len(codes):
        raise CategoryFileError("category codes must be unique")
    return tuple(categories)


def load_categories(path: Path = CATEGORIES_FILE) -> tuple[Category, ...]:
    return parse_categories(tomllib.loads(path.read_text(encoding="utf-8")))


@cache
def default_categories() -> tuple[Category, ...]:
    return load_categories()


def by_code(categories: tuple[Category, ...] | None = None) -> dict[str, Category]:
    return {category.code: category for category in (categories or default_categories())}


def load_user_words(path: Path = USER_DICT_FILE) -> tuple[str, ...]:
    """Domain words jieba should keep whole (加装电梯, 老旧小区, …): one a line, # comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(word for line in lines if (word := line.split("#", 1)[0].strip()))

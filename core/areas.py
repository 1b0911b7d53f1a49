"""Areas (district → street → community) and the deputies' roster, as plain data."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

STREET_SUFFIX = "街道"
# How an office writes a street: 莲花, 莲花街道, 莲花街道办事处 (the street's office), 莲花街道办.
STREET_SUFFIXES = ("街道办事处", "街道办", STREET_SUFFIX)


def normalize_name(name: str) -> str:
    """Full-width forms and stray spaces are folded, so '莲花 街道' matches '莲花街道'."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def street_key(name: str) -> str:
    """The comparable part of a street's name: 莲花街道, 莲花街道办事处 and 莲花 are one street."""
    name = normalize_name(name)
    for suffix in STREET_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def english_key(name: str) -> str:
    """An English street name compared without case, spaces or a Subdistrict/Street suffix:
    "Lianhua", "lianhua subdistrict" and "Lianhua Street" are one street."""
    joined = "".join(unicodedata.normalize("NFKC", name).casefold().split())
    for suffix in ("subdistrict", "sub-district", "street"):
        if joined.endswith(suffix) and len(joined) > len(suffix):
            return joined[: -len(suffix)]
    return joined


class StreetIndex(Generic[T]):
    """Streets found by what people write: 莲花, 莲花街道, 莲花街道办事处, Lianhua, lianhua subdistrict."""

    def __init__(self, streets: Iterable[tuple[str, str | None, T]]) -> None:
        """`streets`: (Chinese name, English name or None, what to return) per street."""
        self._by_key: dict[str, T] = {}
        self._by_english: dict[str, T] = {}
        self.names: list[str] = []
        for name, name_en, value in streets:
            self.names.append(name)
            self._by_key[street_key(name)] = value
            if name_en:
                self._by_english[english_key(name_en)] = value

    def find(self, text: str) -> T | None:
        found = self._by_key.get(street_key(text))
        return found if found is not None else self._by_english.get(english_key(text))


@dataclass(frozen=True)
class StreetSpec:
    name: str
    name_en: str | None = None
    communities: tuple[str, ...] = ()


@dataclass(frozen=True)
class DistrictSpec:
    name: str
    name_en: str | None = None
    streets: tuple[StreetSpec, ...] = field(default_factory=tuple)


class AreaFileError(ValueError):
    """The area file is not in the expected shape; the message says where."""


def parse_area_file(data: dict) -> DistrictSpec:
    """Validate a parsed area file (TOML) and return its district."""
    district = data.get("district")
    if not isinstance(district, dict) or not isinstance(district.get("name"), str):
        raise AreaFileError("[district] with a name is required")
    streets_raw = data.get("streets")
    if not isinstance(streets_raw, list) or not streets_raw:
        raise AreaFileError("at least one [[streets]] entry is required")
    streets: list[StreetSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(streets_raw, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise AreaFileError(f"street {index}: a name is required")
        name = normalize_name(raw["name"])
        if not name:
            raise AreaFileError(f"street {index}: the name is empty")
        if street_key(name) in seen:
            raise AreaFileError(f"street {index}: {name} is listed twice")
        seen.add(street_key(name))
        communities = raw.get("communities", [])
        if not isinstance(communities, list) or not all(isinstance(c, str) for c in communities):
            raise AreaFileError(f"street {index}: communities must be a list of names")
        unique = tuple(dict.fromkeys(normalize_name(c) for c in communities if c.strip()))
        streets.append(StreetSpec(name=name, name_en=raw.get("name_en"), communities=unique))
    return DistrictSpec(
        name=normalize_name(district["name"]),
        name_en=district.get("name_en"),
        streets=tuple(streets),
    )


@dataclass(frozen=True)
class RosterEntry:
    """A deputy's row of the roster, validated by the import layer (bot/imports.py)."""

    line: int
    name: str
    telegram_id: int
    street_key: str
    liaison_station: str | None


@dataclass(frozen=True)
class RosterRowError:
    line: int
    message: str


@dataclass(frozen=True)
class StaffEntry:
    line: int
    name: str
    telegram_id: int
    department: str

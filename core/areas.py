"""Areas (district → street → community) and the deputies' roster, as plain data."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

STREET_SUFFIX = "街道"


def normalize_name(name: str) -> str:
    """Full-width forms and stray spaces are folded, so '莲花 街道' matches '莲花街道'."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def street_key(name: str) -> str:
    """The comparable part of a street's name: 莲花街道 and 莲花 are the same street."""
    name = normalize_name(name)
    return name.removesuffix(STREET_SUFFIX) or name


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


ROSTER_HEADER = ("name", "telegram_id", "street", "liaison_station")


@dataclass(frozen=True)
class RosterEntry:
    line: int
    name: str
    telegram_id: int
    street_key: str
    liaison_station: str | None


@dataclass(frozen=True)
class RosterRowError:
    line: int
    message: str


def _person(line: int, row: dict[str, str | None]) -> tuple[str, int] | RosterRowError:
    """The name and Telegram id every people file has."""
    name = normalize_name(row.get("name") or "")
    if not name:
        return RosterRowError(line, "name is empty")
    raw_id = (row.get("telegram_id") or "").strip()
    if not raw_id.isdigit() or int(raw_id) <= 0:
        return RosterRowError(line, f"telegram_id {raw_id!r} is not a positive number")
    return name, int(raw_id)


def parse_roster_row(line: int, row: dict[str, str | None]) -> RosterEntry | RosterRowError:
    """One CSV row of the roster; a bad row is reported, never half-imported."""
    person = _person(line, row)
    if isinstance(person, RosterRowError):
        return person
    name, telegram_id = person
    street = (row.get("street") or "").strip()
    if not street:
        return RosterRowError(line, "street is empty")
    station = normalize_name(row.get("liaison_station") or "") or None
    return RosterEntry(line, name, telegram_id, street_key(street), station)


STAFF_HEADER = ("name", "telegram_id", "department")


@dataclass(frozen=True)
class StaffEntry:
    line: int
    name: str
    telegram_id: int
    department: str


def parse_staff_row(line: int, row: dict[str, str | None]) -> StaffEntry | RosterRowError:
    """One CSV row of department staff (承办部门工作人员)."""
    person = _person(line, row)
    if isinstance(person, RosterRowError):
        return person
    name, telegram_id = person
    department = normalize_name(row.get("department") or "")
    if not department:
        return RosterRowError(line, "department is empty")
    return StaffEntry(line, name, telegram_id, department)

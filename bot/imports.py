"""The one import layer: every CSV the office hands the bot (roster, staff, projects, candidates)
is read here, the same way.

- Encoding: UTF-8 with or without a BOM, GB18030 (which covers GBK, the encoding of Excel's
  "CSV (逗号分隔)" on Chinese Windows) or UTF-16, detected with charset-normalizer among those
  only (a short GBK file is otherwise mistaken for Korean), and named in the summary.
- Lines: CRLF or LF; blank lines are skipped but counted, so `FILE:LINE` is the line an editor
  shows (a quoted value over several lines is reported at its first line).
- Header: names are trimmed (Excel writes `name, category`), a BOM is dropped; missing required
  columns make the file unreadable (exit status 2), unknown ones are ignored.
- Rows: one pydantic model per file type validates and converts each row, with the limits of the
  database columns it fills (read from the SQLModel tables), so SQLite and PostgreSQL accept
  exactly the same rows. A NUL or other control character, an over-long name, a Telegram id
  beyond BIGINT, a value over 128 KiB: each is a bad row with its reason, never a traceback.

The contract every import command keeps: bad rows are reported as `FILE:LINE: reason` and
skipped, the good ones are stored (exit status 1 if any row was bad); exit status 2 only when the
file as a whole cannot be read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bot.db.models import CandidateItem, Deputy, Project, StaffMember, column_limit
from core.areas import normalize_name
from core.categories import default_categories, find_category
from core.days import parse_moment
from core.money import parse_yuan, wan

FIELD_LIMIT = 128 * 1024  # characters in one value: anything longer is a bad row
BIGINT = 2**63 - 1  # the largest Telegram id the database's BIGINT column holds
_ENCODINGS = ["utf_8", "gb18030", "utf_16", "utf_32"]
_NAMES = {"utf_8": "UTF-8", "gb18030": "GB18030", "utf_16": "UTF-16", "utf_32": "UTF-32"}


class FileUnreadable(ValueError):
    """The file as a whole cannot be read (missing, not text, no usable header): exit status 2."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    """What an import did: the summary line every import command prints."""

    encoding: str = ""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self, label: str) -> str:
        return (
            f"{label}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.errors)} rows with errors (read as {self.encoding})"
        )


# -- text -----------------------------------------------------------------------------------------
def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the name of its encoding; FileUnreadable when it is none we read."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # threshold: how much "mess" a candidate may show; the default 0.2 refuses a GBK roster
    # holding one very long repetitive value, 0.5 still refuses Latin-1 read as GB18030.
    best = from_bytes(data, cp_isolation=_ENCODINGS, threshold=0.5).best()
    if best is None or best.encoding not in _NAMES:
        raise FileUnreadable("not a text file in UTF-8, GB18030/GBK or UTF-16")
    text = str(best)
    return text.lstrip("\ufeff"), _NAMES[best.encoding]


def split_lines(text: str) -> list[str]:
    """Lines as a CSV file has them: ended by LF or CRLF (or a lone CR), never by the Unicode
    separators str.splitlines also breaks at (U+2028 in a value stays inside it)."""
    return re.split(r"\r\n|\r|\n", text)


@dataclass
class CsvRows:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line, values by trimmed column name)
    errors: list[RowError]


def parse_csv(text: str, required: tuple[str, ...]) -> CsvRows:
    """Rows of a CSV text with their first line numbers; FileUnreadable without the `required`
    columns. Rows with more values than the header, or a value over 128 KiB, are bad rows."""
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # read it whole, then refuse it as a bad row with a reason
    try:
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
        try:
            header = [unicodedata.normalize("NFKC", name).strip().lstrip("\ufeff") for name in next(reader)]
        except StopIteration:
            raise FileUnreadable("the file is empty") from None
        except csv.Error as error:
            raise FileUnreadable(f"the header cannot be read: {error}") from None
        missing = [column for column in required if column not in header]
        if missing:
            raise FileUnreadable(
                f"the header must name {','.join(required)} (missing: {', '.join(missing)}; found: "
                f"{','.join(header)[:200]})"
            )
        result = CsvRows(header, [], [])
        ended = reader.line_num
        while True:
            first = ended + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                result.errors.append(RowError(first, f"not a CSV row: {error}"))
                ended = reader.line_num
                continue
            ended = reader.line_num
            if not any(value.strip() for value in values):
                continue  # a blank line is not a row (but it is counted)
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                result.errors.append(
                    RowError(first, f"{len(values)} values for {len(header)} columns (a comma in a value?)")
                )
                continue
            if any(len(value) > FIELD_LIMIT for value in values):
                result.errors.append(RowError(first, "a value is longer than 128 KiB"))
                continue
            result.rows.append((first, dict(zip(header, values, strict=False))))
        return result
    finally:
        csv.field_size_limit(old)


def read_file(path: Path) -> tuple[str, str]:
    """A file's text and encoding; FileUnreadable (exit status 2) when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileUnreadable(error.strerror or str(error)) from None
    return decode(data)


# -- values -----------------------------------------------------------------------------------------
def _no_controls(text: str, multiline: bool = False) -> str:
    allowed = "\n\t" if multiline else ""
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in allowed:
            raise ValueError(f"contains the control character U+{ord(char):04X}")
        if unicodedata.category(char) == "Cs":
            raise ValueError("contains an unpaired surrogate")
    return text


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _name(size: int) -> AfterValidator:
    """A name (person, department, station): width folded, spaces removed, at most `size`."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        value = normalize_name(_no_controls(value))
        if not value:
            raise ValueError("is empty")
        if len(value) > size:
            raise ValueError(f"is longer than {size} characters ({len(value)})")
        return value

    return AfterValidator(check)


def _line(size: int, multiline: bool = False) -> AfterValidator:
    """A title or place: trimmed, inner spaces kept, at most `size` characters."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        value = _no_controls(value.strip(), multiline)
        if not value:
            raise ValueError("is empty")
        if len(value) > size:
            raise ValueError(f"is longer than {size} characters ({len(value)})")
        return value

    return AfterValidator(check)


def _telegram_id(value: object) -> int:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise ValueError(f"{text[:40]!r} is not a positive whole number")
    if int(text) > BIGINT:
        raise ValueError(f"{text[:40]} is larger than any Telegram id")
    return int(text)


def _category(value: str) -> str:
    found = find_category(_no_controls(value))
    if found is None:
        valid = ", ".join(f"{c.code} {c.zh} ({c.en})" for c in default_categories())
        raise ValueError(f"unknown category {value.strip()[:40]!r}; valid: {valid}")
    return found.code


def _yuan(value: str) -> int:
    amount = parse_yuan(value)
    if amount is None:
        raise ValueError(
            f"{value.strip()[:40]!r} is not an amount (a number in 万元, or with 元/万元/亿元: 300, 800000元, 1.5亿元)"
        )
    return amount


def _moment(value: str) -> datetime:
    """A day (at midnight) or a moment; naive unless the text gave an offset."""
    moment = parse_moment(value)
    if moment is None:
        raise ValueError(f"{value.strip()[:40]!r} is not a date (2027-01-11, 2027/01/11 or 2027年1月11日)")
    return moment if isinstance(moment, datetime) else datetime.combine(moment, time(0, 0))


def _names(value: str) -> list[str]:
    parts = re.split(r"[;；、,，]", _no_controls(value))
    return [normalize_name(part) for part in parts if part.strip()]


Str = Annotated[str, BeforeValidator(lambda v: "" if v is None else v)]
Optional = BeforeValidator(_blank_to_none)
TelegramId = Annotated[int, BeforeValidator(_telegram_id)]
CategoryCode = AfterValidator(_category)
Yuan = Annotated[int, BeforeValidator(lambda v: _yuan(str(v)))]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class RosterRow(_Row):
    """roster import: name,telegram_id,street,liaison_station (deputies, DESIGN.md "Roles")."""

    name: Annotated[Str, _name(column_limit(Deputy, "name"))]
    telegram_id: TelegramId
    street: Annotated[Str, _name(64)]
    liaison_station: Annotated[str | None, Optional, _name(column_limit(Deputy, "liaison_station"))] = None


class StaffRow(_Row):
    """staff import: name,telegram_id,department (承办部门工作人员)."""

    name: Annotated[Str, _name(column_limit(StaffMember, "name"))]
    telegram_id: TelegramId
    department: Annotated[Str, _name(column_limit(StaffMember, "department"))]


class ProjectRow(_Row):
    """projects import: name,category,department,budget[,year,street,place,scope,elected_at,supervisors]."""

    name: Annotated[Str, _line(column_limit(Project, "name"))]
    category: Annotated[Str, CategoryCode]
    department: Annotated[Str, _name(column_limit(Project, "department"))]
    budget: Yuan
    year: Annotated[Annotated[int, Field(ge=2000, le=2100)] | None, Optional] = None
    street: Annotated[str | None, Optional, _name(64)] = None
    place: Annotated[str | None, Optional, _line(column_limit(Project, "place"))] = None
    scope: Annotated[str | None, Optional, _line(FIELD_LIMIT, multiline=True)] = None
    elected_at: Annotated[
        datetime | None, BeforeValidator(lambda v: v if v is None else _moment(str(v))), Optional
    ] = None
    supervisors: Annotated[list[str], BeforeValidator(lambda v: _names(v or ""))] = []


class CandidateRow(_Row):
    """candidates import: title,category[,department,estimated_cost] (特定征集, DESIGN.md "Projects")."""

    title: Annotated[Str, _line(column_limit(CandidateItem, "title"))]
    category: Annotated[Str, CategoryCode]
    department: Annotated[str | None, Optional, _name(column_limit(CandidateItem, "department"))] = None
    # (before-validators run last first: blanks become None before the amount is read)
    estimated_cost: Annotated[
        int | None, BeforeValidator(lambda v: v if v is None else _yuan(str(v))), Optional
    ] = None

    @property
    def cost_text(self) -> str | None:
        """How the estimate is stored and shown: in 万元."""
        return None if self.estimated_cost is None else f"{wan(self.estimated_cost)}万元"


ROSTER_HEADER = ("name", "telegram_id", "street")
STAFF_HEADER = ("name", "telegram_id", "department")
PROJECTS_HEADER = ("name", "category", "department", "budget")
CANDIDATES_HEADER = ("title", "category")

M = TypeVar("M", bound=_Row)


def _reason(error: ValidationError) -> str:
    parts = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "row"
        message = problem["msg"].removeprefix("Value error, ")
        parts.append(f"{where} {message}")
    return "; ".join(parts)


def validate_rows(parsed: CsvRows, model: type[M]) -> tuple[list[tuple[int, M]], list[RowError]]:
    """Each row through `model`: good rows with their line, and bad rows with their reason."""
    good: list[tuple[int, M]] = []
    errors = list(parsed.errors)
    for line, values in parsed.rows:
        try:
            good.append((line, model.model_validate(values)))
        except ValidationError as error:
            errors.append(RowError(line, _reason(error)))
        except (TypeError, ValueError) as error:  # a validator's own slip: still a bad row
            errors.append(RowError(line, str(error)))
    return good, sorted(errors, key=lambda e: e.line)


def load(path: Path, model: type[M], header: tuple[str, ...]) -> tuple[list[tuple[int, M]], ImportReport]:
    """Read, decode, parse and validate a file; FileUnreadable when it cannot be read."""
    text, encoding = read_file(path)
    rows, errors = validate_rows(parse_csv(text, header), model)
    return rows, ImportReport(encoding=encoding, errors=errors)


def load_text(text: str, model: type[M], header: tuple[str, ...]) -> tuple[list[tuple[int, M]], ImportReport]:
    rows, errors = validate_rows(parse_csv(text, header), model)
    return rows, ImportReport(encoding="text", errors=errors)


def repeated(rows: list[tuple[int, M]], key: Callable[[M], object], what: str, report: ImportReport):  # type: ignore[no-untyped-def]
    """Rows whose natural key repeats an earlier row of the same file become bad rows."""
    seen: dict[object, int] = {}
    kept = []
    for line, row in rows:
        value = key(row)
        if value in seen:
            report.errors.append(RowError(line, f"{what} repeats line {seen[value]}"))
            continue
        seen[value] = line
        kept.append((line, row))
    report.errors.sort(key=lambda e: e.line)
    return kept

"""The deputies' roster: CSV import (idempotent, bad rows reported one by one)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.db.models import Deputy, StaffMember
from bot.services.areas import AreaService
from core.areas import (
    ROSTER_HEADER,
    STAFF_HEADER,
    RosterEntry,
    RosterRowError,
    StaffEntry,
    parse_roster_row,
    parse_staff_row,
)


class RosterFileError(ValueError):
    """The file as a whole cannot be read (no header, wrong columns, not UTF-8)."""


@dataclass
class RosterImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RosterRowError] = field(default_factory=list)


def _read_csv(text: str, header: tuple[str, ...], parse):  # type: ignore[no-untyped-def]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    present = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in header if column not in present]
    if missing:
        raise RosterFileError(f"the header must be {','.join(header)} (missing: {', '.join(missing)})")
    rows = []
    for row in reader:
        cleaned = {(key or "").strip(): value for key, value in row.items()}
        if not any((value or "").strip() for value in cleaned.values() if isinstance(value, str)):
            continue  # blank lines are not rows
        rows.append(parse(reader.line_num, cleaned))
    return rows


def read_roster(text: str) -> list[RosterEntry | RosterRowError]:
    return _read_csv(text, ROSTER_HEADER, parse_roster_row)


def read_staff(text: str) -> list[StaffEntry | RosterRowError]:
    return _read_csv(text, STAFF_HEADER, parse_staff_row)


class RosterService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def import_rows(self, rows: list[RosterEntry | RosterRowError]) -> RosterImportReport:
        report = RosterImportReport()
        streets = await AreaService(self.session).streets_by_key()
        seen: dict[int, int] = {}
        for row in rows:
            if isinstance(row, RosterRowError):
                report.errors.append(row)
                continue
            street = streets.get(row.street_key)
            if street is None:
                report.errors.append(RosterRowError(row.line, f"unknown street {row.street_key!r}"))
                continue
            if row.telegram_id in seen:
                report.errors.append(
                    RosterRowError(
                        row.line, f"telegram_id {row.telegram_id} repeats line {seen[row.telegram_id]}"
                    )
                )
                continue
            seen[row.telegram_id] = row.line
            deputy = (
                await self.session.exec(select(Deputy).where(Deputy.telegram_id == row.telegram_id))
            ).first()
            wanted = {
                "name": row.name,
                "street_id": street.id,
                "liaison_station": row.liaison_station,
                "is_active": True,
            }
            if deputy is None:
                self.session.add(Deputy(telegram_id=row.telegram_id, created_at=self.clock.now(), **wanted))
                report.added += 1
            elif any(getattr(deputy, key) != value for key, value in wanted.items()):
                for key, value in wanted.items():
                    setattr(deputy, key, value)
                report.updated += 1
            else:
                report.unchanged += 1
        await self.session.flush()
        return report

    async def by_telegram_id(self, telegram_id: int) -> Deputy | None:
        return (await self.session.exec(select(Deputy).where(Deputy.telegram_id == telegram_id))).first()

    async def import_staff(self, rows: list[StaffEntry | RosterRowError]) -> RosterImportReport:
        report = RosterImportReport()
        seen: dict[int, int] = {}
        for row in rows:
            if isinstance(row, RosterRowError):
                report.errors.append(row)
                continue
            if row.telegram_id in seen:
                report.errors.append(
                    RosterRowError(
                        row.line, f"telegram_id {row.telegram_id} repeats line {seen[row.telegram_id]}"
                    )
                )
                continue
            seen[row.telegram_id] = row.line
            staff = (
                await self.session.exec(select(StaffMember).where(StaffMember.telegram_id == row.telegram_id))
            ).first()
            wanted = {"name": row.name, "department": row.department, "is_active": True}
            if staff is None:
                self.session.add(
                    StaffMember(telegram_id=row.telegram_id, created_at=self.clock.now(), **wanted)
                )
                report.added += 1
            elif any(getattr(staff, key) != value for key, value in wanted.items()):
                for key, value in wanted.items():
                    setattr(staff, key, value)
                report.updated += 1
            else:
                report.unchanged += 1
        await self.session.flush()
        return report

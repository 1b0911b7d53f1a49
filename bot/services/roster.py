"""The deputies' roster: CSV import (idempotent, bad rows reported one by one)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.db.models import Deputy
from bot.services.areas import AreaService
from core.areas import ROSTER_HEADER, RosterEntry, RosterRowError, parse_roster_row


class RosterFileError(ValueError):
    """The file as a whole cannot be read (no header, wrong columns, not UTF-8)."""


@dataclass
class RosterImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RosterRowError] = field(default_factory=list)


def read_roster(text: str) -> list[RosterEntry | RosterRowError]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in ROSTER_HEADER if column not in header]
    if missing:
        raise RosterFileError(f"the header must be {','.join(ROSTER_HEADER)} (missing: {', '.join(missing)})")
    rows: list[RosterEntry | RosterRowError] = []
    for row in reader:
        cleaned = {(key or "").strip(): value for key, value in row.items()}
        if not any((value or "").strip() for value in cleaned.values() if isinstance(value, str)):
            continue  # blank lines are not rows
        rows.append(parse_roster_row(reader.line_num, cleaned))
    return rows


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

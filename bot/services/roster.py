"""The deputies' roster: CSV import (idempotent, bad rows reported one by one), and the changes
an admin makes in chat (deactivate, reactivate, move), each written as a DeputyEvent."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Deputy, DeputyEvent, StaffMember, User
from bot.imports import ROSTER_HEADER, STAFF_HEADER, FileUnreadable, RosterRow, StaffRow, load_text
from bot.runtime.clock import Clock
from bot.services.areas import AreaService
from core.areas import RosterEntry, RosterRowError, StaffEntry, street_key

RosterFileError = FileUnreadable  # the file as a whole cannot be read (no header, wrong columns)


@dataclass
class RosterImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RosterRowError] = field(default_factory=list)


def read_roster(text: str) -> list[RosterEntry | RosterRowError]:
    """The roster's rows through the import layer (bot/imports.py): validated, or the reason."""
    rows, report = load_text(text, RosterRow, ROSTER_HEADER)
    entries: list[RosterEntry | RosterRowError] = [
        RosterEntry(line, row.name, row.telegram_id, street_key(row.street), row.liaison_station)
        for line, row in rows
    ]
    return _in_order(entries, report.errors)


def read_staff(text: str) -> list[StaffEntry | RosterRowError]:
    rows, report = load_text(text, StaffRow, STAFF_HEADER)
    entries: list[StaffEntry | RosterRowError] = [
        StaffEntry(line, row.name, row.telegram_id, row.department) for line, row in rows
    ]
    return _in_order(entries, report.errors)


def _in_order(entries: list, errors: list) -> list:  # type: ignore[type-arg]
    bad = [RosterRowError(error.line, error.message) for error in errors]
    return sorted([*entries, *bad], key=lambda row: row.line)


class RosterService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def import_rows(self, rows: list[RosterEntry | RosterRowError]) -> RosterImportReport:
        streets = await AreaService(self.session).street_index()

        def wanted(row: RosterEntry) -> dict[str, object] | str:
            street = streets.find(row.street_key)
            if street is None:
                return f"unknown street {row.street_key!r} (streets: {'、'.join(streets.names)})"
            return {
                "name": row.name,
                "street_id": street.id,
                "liaison_station": row.liaison_station,
                "is_active": True,
            }

        return await self._import(Deputy, rows, wanted)

    async def import_staff(self, rows: list[StaffEntry | RosterRowError]) -> RosterImportReport:
        return await self._import(
            StaffMember, rows, lambda row: {"name": row.name, "department": row.department, "is_active": True}
        )

    async def by_telegram_id(self, telegram_id: int) -> Deputy | None:
        return (await self.session.exec(select(Deputy).where(Deputy.telegram_id == telegram_id))).first()

    async def get(self, deputy_id: int) -> Deputy | None:
        return await self.session.get(Deputy, deputy_id)

    async def active(self) -> list[Deputy]:
        """Every active deputy, in roster order (by id)."""
        return list(
            (await self.session.exec(select(Deputy).where(Deputy.is_active).order_by(col(Deputy.id)))).all()
        )

    async def set_active(self, deputy: Deputy, active: bool, actor: User) -> DeputyEvent | None:
        """Deactivate or reactivate a deputy (a deactivated one gets no cards, ballots or
        ratings); None when it already was so."""
        if deputy.is_active == active:
            return None
        deputy.is_active = active
        return await self._event(deputy, actor, "activate" if active else "deactivate")

    async def move(self, deputy: Deputy, street_id: int, actor: User) -> DeputyEvent | None:
        """Move a deputy to another street (their inbox follows); None when already there."""
        if deputy.street_id == street_id:
            return None
        old, deputy.street_id = deputy.street_id, street_id
        return await self._event(deputy, actor, "move", old_street_id=old, new_street_id=street_id)

    async def events(self, deputy: Deputy) -> list[DeputyEvent]:
        """A deputy's roster history, oldest first."""
        rows = await self.session.exec(
            select(DeputyEvent).where(DeputyEvent.deputy_id == deputy.id).order_by(col(DeputyEvent.id))
        )
        return list(rows.all())

    async def _event(self, deputy: Deputy, actor: User, kind: str, **streets: int) -> DeputyEvent:
        event = DeputyEvent(
            deputy_id=deputy.id,  # type: ignore[arg-type]
            actor_id=actor.id,
            kind=kind,
            at=self.clock.now(),
            **streets,
        )
        self.session.add_all([deputy, event])
        await self.session.flush()
        return event

    async def _import(
        self, model: type[Deputy] | type[StaffMember], rows: list, wanted
    ) -> RosterImportReport:  # type: ignore[no-untyped-def]
        """Upsert by Telegram id: `wanted(row)` gives the fields, or a reason to refuse the row."""
        report = RosterImportReport()
        seen: dict[int, int] = {}
        for row in rows:
            if isinstance(row, RosterRowError):
                report.errors.append(row)
                continue
            fields = wanted(row)
            if isinstance(fields, str):
                report.errors.append(RosterRowError(row.line, fields))
                continue
            if row.telegram_id in seen:
                repeated = f"telegram_id {row.telegram_id} repeats line {seen[row.telegram_id]}"
                report.errors.append(RosterRowError(row.line, repeated))
                continue
            seen[row.telegram_id] = row.line
            found = (
                await self.session.exec(select(model).where(model.telegram_id == row.telegram_id))
            ).first()
            if found is None:
                self.session.add(model(telegram_id=row.telegram_id, created_at=self.clock.now(), **fields))
                report.added += 1
            elif any(getattr(found, key) != value for key, value in fields.items()):
                for key, value in fields.items():
                    setattr(found, key, value)
                report.updated += 1
            else:
                report.unchanged += 1
        await self.session.flush()
        return report

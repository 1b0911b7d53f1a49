"""`python -m bot areas import` and `python -m bot roster import`: files into the database."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.services.areas import AreaService, read_area_file
from bot.services.roster import RosterFileError, RosterService, read_roster, read_staff
from core.areas import AreaFileError


async def import_areas(settings: Settings, path: Path) -> int:
    try:
        spec = read_area_file(path)
    except AreaFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            report = await AreaService(session).import_district(spec)
            await session.commit()
    finally:
        await engine.dispose()
    print(
        f"{report.district}: {report.streets_added} streets and {report.communities_added} communities added"
    )
    return 0


async def import_roster(settings: Settings, path: Path) -> int:
    return await _import_people(settings, path, read_roster, RosterService.import_rows, "deputies")


async def import_staff(settings: Settings, path: Path) -> int:
    return await _import_people(settings, path, read_staff, RosterService.import_staff, "staff")


async def _import_people(settings: Settings, path: Path, read, store, label: str) -> int:  # type: ignore[no-untyped-def]
    """Bad rows are reported one per line and skipped; exit status 1 if there were any."""
    try:
        rows = read(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, RosterFileError) as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            report = await store(RosterService(session, SystemClock(settings.tz)), rows)
            await session.commit()
    finally:
        await engine.dispose()
    for error in report.errors:
        print(f"{path}:{error.line}: {error.message}", file=sys.stderr)
    print(
        f"{label}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.errors)} rows with errors"
    )
    return 1 if report.errors else 0

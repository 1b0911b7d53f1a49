"""`python -m bot areas import` and `python -m bot roster import`: files into the database."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.db.migrate import migrated_session
from bot.services.areas import AreaService, read_area_file
from bot.services.container import Services
from bot.services.roster import RosterFileError, RosterService, read_roster, read_staff
from core.areas import AreaFileError
from core.categories import default_categories


async def import_areas(settings: Settings, path: Path) -> int:
    try:
        spec = read_area_file(path)
    except AreaFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    async with migrated_session(settings.database_url) as session:
        report = await AreaService(session).import_district(spec)
        await session.commit()
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
    async with migrated_session(settings.database_url) as session:
        report = await store(RosterService(session, SystemClock(settings.tz)), rows)
        await session.commit()
    for error in report.errors:
        print(f"{path}:{error.line}: {error.message}", file=sys.stderr)
    print(
        f"{label}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.errors)} rows with errors"
    )
    return 1 if report.errors else 0


async def import_candidates(settings: Settings, path: Path, year: int) -> int:
    """特定征集: the government's planned livelihood investments, as candidate items for a year.

    Header title,category,department,estimated_cost; bad rows are reported and skipped.
    """
    try:
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8").lstrip("\ufeff")))
        rows = list(reader)
    except (OSError, UnicodeDecodeError) as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    if not {"title", "category"} <= set(reader.fieldnames or []):
        print(
            f"error: {path}: the header must name title,category (and may name department,estimated_cost)",
            file=sys.stderr,
        )
        return 2
    codes = {category.code for category in default_categories()}
    added, errors = 0, []
    async with migrated_session(settings.database_url) as session:
        rounds = Services(session, SystemClock(settings.tz), settings).rounds
        for line, row in enumerate(rows, start=2):
            title, category = (row.get("title") or "").strip(), (row.get("category") or "").strip()
            if not title:
                errors.append(f"{path}:{line}: title is empty")
            elif category not in codes:
                errors.append(f"{path}:{line}: unknown category {category!r}")
            else:
                await rounds.add_item(
                    year,
                    title,
                    category,
                    "special",
                    department=(row.get("department") or "").strip() or None,
                    estimated_cost=(row.get("estimated_cost") or "").strip() or None,
                )
                added += 1
        await session.commit()
    for error in errors:
        print(error, file=sys.stderr)
    print(f"candidate items for {year}: {added} added (特定征集), {len(errors)} rows with errors")
    return 1 if errors else 0

"""`python -m bot areas import` and `python -m bot roster import`: files into the database."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.db.migrate import migrated_session
from bot.imports import (
    CANDIDATES_HEADER,
    CandidateRow,
    FileUnreadable,
    ImportReport,
    RowError,
    load,
    read_file,
    repeated,
)
from bot.runtime.clock import SystemClock
from bot.services.areas import AreaService, read_area_file
from bot.services.container import Services
from bot.services.roster import RosterService, read_roster, read_staff
from core.areas import AreaFileError


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
        text, encoding = read_file(path)
        rows = read(text)
    except FileUnreadable as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    async with migrated_session(settings.database_url) as session:
        stored = await store(RosterService(session, SystemClock(settings.tz)), rows)
        await session.commit()
    report = ImportReport(encoding, stored.added, stored.updated, stored.unchanged)
    report.errors = [RowError(e.line, e.message) for e in stored.errors]
    return finish(path, report, label)


def finish(path: Path, report: ImportReport, label: str) -> int:
    """Bad rows as FILE:LINE: reason on stderr, the summary on stdout; the exit status."""
    for error in sorted(report.errors, key=lambda e: e.line):
        print(f"{path}:{error.line}: {error.message}", file=sys.stderr)
    print(report.summary(label))
    return 1 if report.errors else 0


async def import_candidates(settings: Settings, path: Path, year: int) -> int:
    """特定征集: the government's planned livelihood investments, as candidate items for a year.

    Header title,category[,department,estimated_cost]; keyed by (year, title): a re-run updates
    the items it names and never adds them twice. Bad rows are reported and skipped.
    """
    try:
        rows, report = load(path, CandidateRow, CANDIDATES_HEADER)
    except FileUnreadable as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    rows = repeated(rows, lambda row: row.title, "title", report)
    async with migrated_session(settings.database_url) as session:
        rounds = Services(session, SystemClock(settings.tz), settings).rounds
        for line, row in rows:
            outcome = await rounds.put_special_item(
                year, row.title, row.category, row.department, row.cost_text
            )
            if outcome == "added":
                report.added += 1
            elif outcome == "updated":
                report.updated += 1
            elif outcome == "unchanged":
                report.unchanged += 1
            else:
                report.errors.append(RowError(line, outcome))
        await session.commit()
    return finish(path, report, f"candidate items for {year} (特定征集)")

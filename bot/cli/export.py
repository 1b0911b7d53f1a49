"""`python -m bot export --year 2026 --out DIR [--lang en]`: the year's tables as one XLSX and CSV files."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.db.migrate import migrated_session
from bot.exports.annual import csv_files, workbook, year_tables
from bot.runtime.i18n import build_i18n


async def export_year(settings: Settings, year: int, out: Path, lang: str | None = None) -> int:
    """Headers and values in `lang` (default: the office's DEFAULT_LOCALE, Chinese unless set)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"error: {out}: {error}", file=sys.stderr)
        return 2
    i18n = build_i18n(settings.locales_dir, settings.data_dir, settings.default_locale)
    with i18n.context(), i18n.use_locale(lang or settings.default_locale):
        async with migrated_session(settings.database_url) as session:
            tables = await year_tables(session, year, settings.tz)
    written = [out / f"minsheng-{year}.xlsx"]
    written[0].write_bytes(workbook(tables))
    for name, content in csv_files(tables).items():
        path = out / f"{year}-{name}"
        path.write_bytes(content)
        written.append(path)
    for table in tables:
        print(f"{table.name}\t{len(table.rows)} rows")
    print(f"wrote {len(written)} files to {out}")
    return 0

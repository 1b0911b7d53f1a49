"""`python -m bot projects import FILE.csv` and `python -m bot outbox …`."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import migrated_session, upgrade
from bot.imports import PROJECTS_HEADER, FileUnreadable, ImportReport, ProjectRow, RowError, load, repeated
from bot.notices.projects import plan_requested
from bot.notify import Notifier
from bot.outbox import store
from bot.outbox.sender import Sender
from bot.runtime.clock import SystemClock
from bot.runtime.i18n import build_i18n
from bot.runtime.telegram import create_sender_bot
from bot.services.container import Services


def read_projects(path: Path) -> tuple[list[tuple[int, ProjectRow]], ImportReport]:
    """A projects file through the import layer; FileUnreadable (a ValueError) when it cannot
    be read as a whole."""
    rows, report = load(path, ProjectRow, PROJECTS_HEADER)
    return rows, report


async def add_projects(
    services: Services, rows: list[tuple[int, ProjectRow]], report: ImportReport
) -> ImportReport:
    """Stores the good rows, keyed by (year, name): a new project's department is asked for its
    plan; a project already there is updated (each change in its history) or left unchanged,
    and nobody is asked twice. Rows that name an unknown street or deputy are bad rows."""
    settings = services.settings
    streets = await services.areas.street_index()
    deputies = {d.name: d for d in await services.roster.active()}
    now = services.clock.now()

    def year_of(row: ProjectRow) -> int:
        return row.year or (row.elected_at.year if row.elected_at else now.year)  # a date's or a moment's

    for line, row in repeated(rows, lambda row: (year_of(row), row.name), "year and name", report):
        street = streets.find(row.street) if row.street else None
        if row.street and street is None:
            report.errors.append(
                RowError(line, f"street {row.street!r} is unknown (streets: {'、'.join(streets.names)})")
            )
            continue
        unknown = [name for name in row.supervisors if name not in deputies]
        if unknown:
            report.errors.append(RowError(line, f"supervisors: no active deputy named {', '.join(unknown)}"))
            continue
        elected_at = row.elected_at or now
        if elected_at.tzinfo is None:  # the file's times are the office's local times
            elected_at = elected_at.replace(tzinfo=settings.tz)
        values = {
            "name": row.name,
            "category": row.category,
            "department": row.department,
            "budget": row.budget,
            "scope": row.scope,
            "street_id": street.id if street else None,
            "place": row.place,
        }
        project, outcome = await services.projects.put_imported(year_of(row), elected_at, values)
        wanted = {deputies[name].id for name in row.supervisors}
        for deputy_id in wanted - await services.projects.supervisor_ids(project):
            await services.projects.toggle_supervisor(project, deputy_id)  # type: ignore[arg-type]
            outcome = outcome if outcome != "unchanged" else "updated"
        if outcome == "added":
            await plan_requested(services, project)
            report.added += 1
        elif outcome == "updated":
            report.updated += 1
        else:
            report.unchanged += 1
    report.errors.sort(key=lambda error: error.line)
    return report


async def import_projects(settings: Settings, path: Path) -> int:
    """`python -m bot projects import FILE.csv`: projects decided elsewhere (or before the bot)."""
    from bot.cli.imports import finish

    try:
        rows, report = read_projects(path)
    except FileUnreadable as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    clock = SystemClock(settings.tz)
    async with migrated_session(settings.database_url) as session:
        # Outside any update: the departments' notices are queued in their own languages.
        i18n = build_i18n(settings.locales_dir, settings.data_dir, settings.default_locale)
        await add_projects(Services(session, clock, settings, Notifier(i18n, clock, settings)), rows, report)
        await session.commit()
    return finish(path, report, "projects")


async def outbox_command(settings: Settings, action: str) -> int:
    engine = create_engine(settings.database_url)
    clock = SystemClock(settings.tz)
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        if action == "stats":
            async with factory() as session:
                counts = await store.counts(session)
            for status in ("pending", "claimed", "sending", "sent", "blocked", "failed", "unknown"):
                print(f"{status}\t{counts[status]}")
            return 0
        if action == "requeue-unknown":
            async with factory() as session:
                print(f"requeued {await store.requeue_unknown(session, clock.now())} deliveries")
            return 0
        return await _send_forever(settings, factory, clock)
    finally:
        await engine.dispose()


async def _send_forever(settings: Settings, factory, clock) -> int:  # type: ignore[no-untyped-def]
    """A sender process on its own (more senders share the work safely), until a signal."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    sender = Sender(
        factory,
        create_sender_bot(token, settings.telegram_api_base, settings.outbox_send_timeout),
        clock,
        settings,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    sender.start()
    await stop.wait()
    await sender.stop()
    await sender.bot.session.close()
    print(
        f"sent {sender.stats.sent}, retried {sender.stats.retried}, blocked {sender.stats.blocked}, failed {sender.stats.failed}, unknown {sender.stats.unknown}"
    )
    return 0

"""`python -m bot projects import FILE.csv` and `python -m bot outbox …`."""

from __future__ import annotations

import asyncio
import csv
import io
import signal
import sys
from datetime import datetime
from pathlib import Path

from sqlmodel import select

from bot.clock import SystemClock
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import migrated_session, upgrade
from bot.db.models import Deputy
from bot.i18n import build_i18n
from bot.notify import Notifier
from bot.outbox import store
from bot.outbox.sender import Sender
from bot.project_notices import plan_requested
from bot.services.container import Services
from bot.telegram import create_sender_bot
from core.categories import default_categories
from core.money import parse_yuan

HEADER = "name,category,department,budget (and optionally year,street,place,scope,elected_at,supervisors)"


def read_projects_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a projects file; ValueError names what is wrong with it as a whole."""
    try:
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8").lstrip("\ufeff")))
        rows = list(reader)
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: {error}") from None
    if not {"name", "category", "department", "budget"} <= set(reader.fieldnames or []):
        raise ValueError(f"{path}: the header must name {HEADER}")
    return rows


async def add_projects(
    services: Services, notifier: Notifier, rows: list[dict[str, str]], source: str
) -> tuple[int, list[str]]:
    """Adds the good rows (each department is asked for its plan); returns (added, errors)."""
    codes = {category.code for category in default_categories()}
    session, settings = services.session, services.settings
    streets = {s.name: s for s in await services.areas.streets()}
    deputies = {d.name: d for d in (await session.exec(select(Deputy).where(Deputy.is_active))).all()}
    added, errors = 0, []
    for line, row in enumerate(rows, start=2):
        problem, values = _row(row, codes, streets, settings)
        names = [n.strip() for n in (row.get("supervisors") or "").replace("、", ";").split(";") if n.strip()]
        unknown = [n for n in names if n not in deputies]
        if problem is None and unknown:
            problem = f"no active deputy named {', '.join(unknown)}"
        if problem is not None:
            errors.append(f"{source}:{line}: {problem}")
            continue
        project = await services.projects.create(
            elected_at=values.pop("elected_at") or services.clock.now(), **values
        )
        for name in names:
            await services.projects.toggle_supervisor(project, deputies[name].id)  # type: ignore[arg-type]
        await plan_requested(services, notifier, project)
        added += 1
    return added, errors


async def import_projects(settings: Settings, path: Path) -> int:
    """`python -m bot projects import FILE.csv`: projects decided elsewhere (or before the bot)."""
    try:
        rows = read_projects_csv(path)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    clock = SystemClock(settings.tz)
    async with migrated_session(settings.database_url) as session:
        # Outside any update: the departments' notices are queued in their own languages.
        i18n = build_i18n(settings.locales_dir, settings.data_dir, settings.default_locale)
        added, errors = await add_projects(
            Services(session, clock, settings), Notifier(i18n, clock, settings), rows, str(path)
        )
        await session.commit()
    for error in errors:
        print(error, file=sys.stderr)
    print(f"projects: {added} added, {len(errors)} rows with errors")
    return 1 if errors else 0


def _row(row: dict, codes: set[str], streets: dict, settings: Settings) -> tuple[str | None, dict]:  # type: ignore[type-arg]
    name = (row.get("name") or "").strip()
    category = (row.get("category") or "").strip()
    department = (row.get("department") or "").strip()
    budget = parse_yuan(row.get("budget") or "")
    if not name or len(name) > 200:
        return "name is empty or longer than 200 characters", {}
    if category not in codes:
        return f"unknown category {category!r}", {}
    if not department:
        return "department is empty", {}
    if budget is None:
        return f"budget {row.get('budget')!r} is not an amount (万元, e.g. 320 or 320万元)", {}
    street_name = (row.get("street") or "").strip()
    if street_name and street_name not in streets:
        return f"unknown street {street_name!r}", {}
    elected_at = None
    if (row.get("elected_at") or "").strip():
        try:
            elected_at = datetime.fromisoformat(row["elected_at"].strip()).replace(tzinfo=settings.tz)
        except ValueError:
            return f"elected_at {row['elected_at']!r} is not a date (YYYY-MM-DD)", {}
    try:
        year = int(row.get("year") or (elected_at or datetime.now(settings.tz)).year)
    except ValueError:
        return f"year {row.get('year')!r} is not a number", {}
    return None, {
        "year": year,
        "name": name,
        "category": category,
        "department": department,
        "budget": budget,
        "scope": (row.get("scope") or "").strip() or None,
        "street_id": streets[street_name].id if street_name else None,
        "place": (row.get("place") or "").strip() or None,
        "elected_at": elected_at,
    }


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

"""`python -m bot sandbox`: the console chat, or a script replayed into a transcript."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

from sqlmodel import select

from bot.config import Settings
from bot.db.models import District
from bot.runtime.clock import AdjustableClock
from bot.sandbox.console import Console
from bot.sandbox.script import ScriptError, read_script, run_script
from bot.sandbox.session import Sandbox
from bot.sandbox.state import WorldFile, database_is_new, world_file
from bot.services.areas import SAMPLE_AREAS, AreaService, read_area_file
from bot.services.roster import RosterService, read_roster, read_staff

log = logging.getLogger(__name__)


SAMPLE_ROSTER = SAMPLE_AREAS.parent / "roster_futian.csv"
SAMPLE_STAFF = SAMPLE_AREAS.parent / "staff_futian.csv"


async def ensure_sample_areas(sandbox: Sandbox) -> bool:
    """A sandbox on an empty database gets 福田区's streets and sample deputies and staff, so every
    role can be tried at once. True when it seeded them."""
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        if (await session.exec(select(District.id))).first() is not None:
            return False
        await AreaService(session).import_district(read_area_file(SAMPLE_AREAS))
        await session.flush()
        roster = RosterService(session, sandbox.clock)
        await roster.import_rows(read_roster(SAMPLE_ROSTER.read_text(encoding="utf-8")))
        await roster.import_staff(read_staff(SAMPLE_STAFF.read_text(encoding="utf-8")))
        await session.commit()
        return True


async def run_sandbox(
    settings: Settings,
    script: Path | None,
    transcript: Path | None,
    persona: int,
    start: datetime | None = None,
    *,
    fresh: bool = False,
) -> int:
    if script is None:
        logging.getLogger().setLevel(logging.WARNING)
    try:
        steps = read_script(script) if script else []
    except (OSError, ScriptError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    clock = AdjustableClock(settings.tz, start=start)
    state = remembered_world(settings, fresh)
    async with Sandbox(settings, clock=clock, state=state) as sandbox:
        seeded = await ensure_sample_areas(sandbox)
        if script is None:
            if seeded:
                print(
                    "An empty database: the sample district 福田区 was loaded, with deputies 2001–2005\n"
                    "(2001 and 2002 in 莲花街道) and department staff 3001–3002. Try /as 2001."
                )
            if state is not None and state.remembered:
                print(
                    f"The local Telegram remembers the chats from before ({state.remembered}; "
                    f"{state.path}; --fresh forgets them)."
                )
            if settings.admin_ids:
                print(f"Admins: {', '.join(map(str, sorted(settings.admin_ids)))}")
            board = await _start_board(sandbox)
            try:
                await Console(sandbox, persona).run()
            finally:
                if board is not None:
                    await board.cleanup()
            return 0
        out = transcript.open("w", encoding="utf-8") if transcript else sys.stdout
        try:
            errors = await run_script(sandbox, steps, script.parent, out)
        except ScriptError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        finally:
            if transcript:
                out.close()
    for line in errors:
        print(f"bot error: {line}", file=sys.stderr)
    return 1 if errors else 0


def remembered_world(settings: Settings, fresh: bool) -> WorldFile | None:
    """The state file of this database's local Telegram, emptied first when asked to (--fresh)
    or when the database is new (what it remembered belonged to a database since deleted)."""
    state = world_file(settings)
    if state is not None and (fresh or database_is_new(settings)):
        if state.path.exists():
            why = "--fresh" if fresh else "a new database"
            log.warning("the local Telegram starts fresh (%s): %s forgotten", why, state.path)
        state.forget()
    return state


async def _start_board(sandbox: Sandbox):  # type: ignore[no-untyped-def]
    """The public board beside the console chat, when BOARD_PORT is free; None otherwise."""
    from bot.runtime.app import start_board

    if not sandbox.settings.board_port:
        return None
    try:
        runner = await start_board(sandbox.runtime)  # type: ignore[arg-type]
    except OSError as error:
        print(f"(the public board is off: port {sandbox.settings.board_port}: {error.strerror})")
        return None
    print(f"The public board: http://127.0.0.1:{sandbox.settings.board_port}/")
    return runner

"""`python -m bot sandbox`: the console chat, or a script replayed into a transcript."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from sqlmodel import select

from bot.config import Settings
from bot.db.models import District
from bot.sandbox.console import Console
from bot.sandbox.script import ScriptError, read_script, run_script
from bot.sandbox.session import Sandbox
from bot.services.areas import SAMPLE_AREAS, AreaService, read_area_file

log = logging.getLogger(__name__)


async def ensure_sample_areas(sandbox: Sandbox) -> None:
    """A sandbox on an empty database gets 福田区's streets, so deputies can be tried at once."""
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        if (await session.exec(select(District.id))).first() is None:
            await AreaService(session).import_district(read_area_file(SAMPLE_AREAS))
            await session.commit()


async def run_sandbox(settings: Settings, script: Path | None, transcript: Path | None, persona: int) -> int:
    if script is None:
        logging.getLogger().setLevel(logging.WARNING)
    try:
        steps = read_script(script) if script else []
    except (OSError, ScriptError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    async with Sandbox(settings) as sandbox:
        await ensure_sample_areas(sandbox)
        if script is None:
            await Console(sandbox, persona).run()
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

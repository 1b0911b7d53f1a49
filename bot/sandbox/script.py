"""Runs a conversation script (JSON lines) through the sandbox and writes the transcript."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from bot.sandbox.session import Sandbox, transcript_line
from bot.sandbox.world import Shown


class ScriptError(ValueError):
    """A script line that cannot be run; the message names the step."""


@dataclass(frozen=True)
class Step:
    number: int
    line: dict[str, Any]


def read_script(path: Path) -> list[Step]:
    steps: list[Step] = []
    # JSON lines end at "\n" (a CRLF's "\r" is whitespace to JSON); str.splitlines would also
    # break at U+2028 and other separators a JSON string may hold unescaped.
    for line_number, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError as error:
            raise ScriptError(f"line {line_number}: not JSON ({error})") from None
        if not isinstance(line, dict):
            raise ScriptError(f"line {line_number}: a step is a JSON object")
        steps.append(Step(len(steps) + 1, line))
    return steps


async def run_step(sandbox: Sandbox, step: Step, base: Path) -> list[Shown]:
    line = step.line
    if "clock" in line:
        try:
            moment = datetime.fromisoformat(line["clock"])
        except (TypeError, ValueError):
            raise ScriptError(f"step {step.number}: clock needs an ISO time with offset") from None
        if moment.tzinfo is None:
            raise ScriptError(f"step {step.number}: clock needs a time zone offset, e.g. +08:00")
        try:
            return await sandbox.advance_clock(moment)
        except ValueError as error:
            raise ScriptError(f"step {step.number}: {error}") from None
    if "block" in line:
        return await sandbox.block(_person(line, "block", step))
    if line.get("import") == "projects":
        return await _import_projects(sandbox, _file(base, line.get("file", ""), step), step)
    if "from" not in line:
        raise ScriptError(f"step {step.number}: expected from, block, clock or import")
    user = _person(line, "from", step)
    sandbox.person(user, line.get("name"), line.get("lang"))
    if "text" in line:
        return await sandbox.say(user, str(line["text"]))
    if "press" in line or "data" in line:
        try:
            label = line.get("press")
            if isinstance(label, str):
                # "MS-{year}-000002": a tracking number of this year on the bot's clock, so a
                # script replays the same in any year.
                label = label.replace("{year}", str(sandbox.clock.now().year))
            return await sandbox.press(user, label, data=line.get("data"))
        except LookupError as error:
            raise ScriptError(f"step {step.number}: {error}") from None
    if "edit" in line:
        try:
            return await sandbox.edit(user, str(line["edit"]))
        except LookupError as error:
            raise ScriptError(f"step {step.number}: {error}") from None
    if "album" in line:
        paths = [_file(base, name, step) for name in line["album"]]
        return await sandbox.album(user, paths, line.get("caption"))
    if "photo" in line:
        return await sandbox.photo(user, _file(base, line["photo"], step), line.get("caption"))
    if "document" in line:
        return await sandbox.document(user, _file(base, line["document"], step))
    if line.get("sticker"):
        return await sandbox.sticker(user)
    if line.get("voice"):
        return await sandbox.voice(user)
    raise ScriptError(
        f"step {step.number}: nothing to do (text, edit, press, data, photo, album, document, sticker)"
    )


async def _import_projects(sandbox: Sandbox, path: Path, step: Step) -> list[Shown]:
    """What an operator's `python -m bot projects import FILE.csv` does, at the sandbox's time."""
    from bot.cli.projects import add_projects, read_projects
    from bot.services.container import Services

    try:
        rows, report = read_projects(path)
    except ValueError as error:
        raise ScriptError(f"step {step.number}: {path.name}: {error}") from None
    runtime = sandbox.runtime
    async with runtime.session_factory() as session:  # type: ignore[union-attr]
        services = Services(session, sandbox.clock, sandbox.settings, runtime.notifier)  # type: ignore[union-attr]
        await add_projects(services, rows, report)
        if report.errors:
            lines = "; ".join(f"{path.name}:{e.line}: {e.message}" for e in report.errors)
            raise ScriptError(f"step {step.number}: {lines}")
        await session.commit()
    return await sandbox.act(lambda: None)


def _file(base: Path, name: object, step: Step) -> Path:
    """A file the script names, inside the script's own folder: a script from elsewhere cannot
    make the sandbox read `/etc/passwd` or `../secrets` (issue 13, fault 12)."""
    if not isinstance(name, str) or not name or Path(name).is_absolute():
        raise ScriptError(f"step {step.number}: name a file inside the script's folder, not {name!r}")
    folder = base.resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        raise ScriptError(f"step {step.number}: {name!r} is outside the script's folder")
    if not path.is_file():
        raise ScriptError(f"step {step.number}: no file {name}")
    return path


def _person(line: dict, key: str, step: Step) -> int:  # type: ignore[type-arg]
    """A Telegram id in a step: a positive whole number (or its digits as text), else exit 2."""
    value = line[key]
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10**15:
        raise ScriptError(
            f"step {step.number}: {key} must be a Telegram id (a positive whole number), not {value!r}"
        )
    return value


async def run_script(sandbox: Sandbox, steps: list[Step], base: Path, out: TextIO) -> list[str]:
    """Runs every step; returns one line per unhandled bot error (empty when all went well)."""
    errors: list[str] = []
    for step in steps:
        failures_before = len(sandbox.failures)
        for shown in await run_step(sandbox, step, base):
            out.write(json.dumps(transcript_line(step.number, shown), ensure_ascii=False) + "\n")
        out.flush()
        for update_id, error in sandbox.failures[failures_before:]:
            errors.append(f"step {step.number}: update {update_id}: {type(error).__name__}: {error}")
    return errors

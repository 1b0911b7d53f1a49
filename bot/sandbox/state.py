"""What the local Telegram remembers across restarts, in a file beside the database.

Telegram keeps the chats, the messages and the update ids when a bot stops; the bot keeps its
conversation state and its queued notices in the database. A sandbox restarted on the same
database loads this file, so the notices go to chats it still knows and an old card's buttons
still press. The file is JSON (`World.snapshot`), written whole to a temporary file and moved into
place; the files people and the bot sent lie in a folder beside it, one file per file_id.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import Settings
from bot.sandbox.world import World

log = logging.getLogger(__name__)


class WorldFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.files = path.with_name(path.name.removesuffix(".json") + ".files")
        self._written = ""  # the text last written (or read): an unchanged world is not rewritten
        self._files_written: set[str] = set()
        self.remembered = 0  # chats the loaded file held

    def load(self) -> World:
        """The world the file holds; a fresh one when there is no file, or (logged, the bad file
        kept aside as .corrupt) when it cannot be read."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return World()
        except (OSError, UnicodeDecodeError) as error:
            return self._fresh(f"cannot be read ({error})")
        try:
            state = json.loads(text)
            if not isinstance(state, dict):
                raise TypeError("not a JSON object")
            world = World.restore(state, self._read_file)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return self._fresh(f"is not a sandbox state ({type(error).__name__}: {error})")
        self._written = text
        self._files_written = set(world.files)
        self.remembered = len(world.people)
        log.info("the local Telegram remembers %d chats (%s)", self.remembered, self.path)
        return world

    def save(self, world: World) -> bool:
        """Writes the world when it changed since the last write; True when it wrote."""
        for stored in world.files.values():  # a file's bytes never change: each is written once
            if stored.file_id not in self._files_written:
                _write_atomically(self.files / _file_name(stored.file_id), stored.content)
                self._files_written.add(stored.file_id)
        text = json.dumps(world.snapshot(), ensure_ascii=False, separators=(",", ":"))
        if text == self._written:
            return False
        _write_atomically(self.path, text.encode("utf-8"))
        self._written = text
        return True

    def forget(self) -> None:
        """Deletes what the file remembered: the next load starts with an empty Telegram."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        shutil.rmtree(self.files, ignore_errors=True)
        self._written = ""
        self._files_written.clear()

    def _read_file(self, file_id: str) -> bytes | None:
        try:
            return (self.files / _file_name(file_id)).read_bytes()
        except OSError:
            log.warning("sandbox state %s: the file %s is gone; forgotten", self.path, file_id)
            return None

    def _fresh(self, reason: str) -> World:
        aside = self.path.with_name(self.path.name + ".corrupt")
        try:
            os.replace(self.path, aside)
            kept = f"; kept as {aside}"
        except OSError:
            kept = ""
        log.warning("sandbox state %s %s: the local Telegram starts fresh%s", self.path, reason, kept)
        return World()


def world_file(settings: Settings) -> WorldFile | None:
    """The state file of the database `settings` name: beside a SQLite file (data/minsheng.db →
    data/minsheng.sandbox.json), in DATA_DIR for a server database; None for an in-memory one."""
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        return None
    database = url.database or ""
    if url.get_backend_name() == "sqlite":
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        path = Path(database)
        return WorldFile(path.with_name(path.stem + ".sandbox.json"))
    if not database:
        return None
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:8]
    name = re.sub(r"[^A-Za-z0-9_-]", "_", database)[:64]
    return WorldFile(settings.data_dir / f"{name}-{digest}.sandbox.json")


def database_is_new(settings: Settings) -> bool:
    """A SQLite database that does not exist yet (its state file, if any, belongs to one that was
    deleted). A server database cannot be told apart this way: False."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return False
    return not Path(url.database).exists()


def _file_name(file_id: str) -> str:
    if not file_id.isascii() or not file_id.isalnum():
        raise ValueError(f"not a file id: {file_id!r}")
    return file_id


def _write_atomically(path: Path, data: bytes) -> None:
    """Writes to a temporary file beside `path`, then moves it over `path` at once: a reader (or
    a crash) sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

"""The bot and a local Telegram in one process: people act, the bot answers, we wait till idle.

The sandbox console, the script runner and the end-to-end tests all drive the bot through this
class, over aiogram's real HTTP session and long polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.outbox.sender import Sender
from bot.runtime.app import Runtime, build_runtime
from bot.runtime.clock import AdjustableClock
from bot.sandbox.server import SANDBOX_TOKEN, FakeTelegramServer
from bot.sandbox.state import WorldFile
from bot.sandbox.world import Person, Shown

log = logging.getLogger(__name__)

# Predicates that report work the bot still has queued (e.g. an outbox); all must be False.
BusyProbe = Callable[[], Any]


class BotFailed(RuntimeError):
    """The bot raised an error it did not handle."""


class Sandbox:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: AdjustableClock | None = None,
        server: FakeTelegramServer | None = None,
        record_path: Path | None = None,
        idle_timeout: float = 30.0,
        api_sleep: Callable[[float], Awaitable[None]] | None = None,
        state: WorldFile | None = None,
        save_every: float = 5.0,
    ) -> None:
        self.settings = settings
        self.clock = clock or AdjustableClock(settings.tz)
        # With a state file the local Telegram remembers its chats across restarts (written after
        # every step, every `save_every` seconds and at the end); without one it lives in memory.
        self.state = state
        self.save_every = save_every
        self._saver: asyncio.Task[None] | None = None
        self.server = server or FakeTelegramServer(
            world=state.load() if state else None,
            record_path=record_path or settings.sandbox_record,
            global_rate=settings.sandbox_rate,
            per_chat_rate=settings.sandbox_chat_rate,
            per_chat_burst=settings.sandbox_chat_burst,
        )
        self.idle_timeout = idle_timeout
        self.api_sleep = api_sleep  # how the bot waits out a 429 (a VirtualTime's sleep in tests)
        self.shown: list[Shown] = []
        self.step = 0
        self.busy_probes: list[BusyProbe] = []
        self.runtime: Runtime | None = None
        self._polling: asyncio.Task[None] | None = None
        self._updates_before = 0

    # -- life cycle ------------------------------------------------------------------------------
    async def __aenter__(self) -> Sandbox:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        # A server handed over from a stopped sandbox (a restart of the bot), or a world loaded
        # from its state file, keeps its world; the updates it created before were the old bot's
        # to handle, save those still unconfirmed, which Telegram delivers to the new one.
        world = self.server.world
        self._updates_before = world.updates_created - len(world.pending)
        base_url = await self.server.start()
        if self.state is not None:
            self._saver = asyncio.create_task(self._keep_saving())
        self.server.world.observers.append(self.shown.append)
        # The flood guard counts one script step as one second: people do not type faster.
        self.runtime = await build_runtime(
            self.settings,
            clock=self.clock,
            token=SANDBOX_TOKEN,
            api_base=base_url,
            throttle_time=lambda: float(self.step),
            api_sleep=self.api_sleep,
        )
        self._polling = asyncio.create_task(
            self.runtime.dispatcher.start_polling(
                self.runtime.bot, handle_signals=False, close_bot_session=False, polling_timeout=5
            )
        )
        # Moving the sandbox's clock runs whatever falls due, as the scheduler would, and lets
        # the outbox release what was waiting for that moment (quiet hours, retries).
        self.clock.on_advance(self.runtime.scheduler.tick)
        sender = self.runtime.sender
        self.clock.on_advance(lambda _now: _wake(sender))
        sender.start()
        self.busy_probes.append(lambda: sender.busy)
        await self._until(lambda: self.server.calls["getUpdates"] > 0 or self._polling.done())
        if self._polling.done():
            self._polling.result()  # start-up failed: raise its error here

    async def stop(self) -> None:
        if self._polling is not None and not self._polling.done():
            with contextlib.suppress(RuntimeError):
                await self.runtime.dispatcher.stop_polling()  # type: ignore[union-attr]
            self.server.world.wake()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
        if self.runtime is not None:
            await self.runtime.close()
        await self.server.stop()
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
            self._saver = None
        self.save()

    def save(self) -> None:
        """Writes what the local Telegram remembers to the state file (when there is one)."""
        if self.state is not None:
            self.state.save(self.server.world)

    async def _keep_saving(self) -> None:
        # The outbox sends between the steps too; a sandbox killed outright loses at most this.
        while True:
            await asyncio.sleep(self.save_every)
            try:
                self.save()
            except OSError as error:
                log.error("the sandbox state could not be written: %s", error)

    @property
    def failures(self) -> list[tuple[int, BaseException]]:
        return list(self.runtime.activity.failures) if self.runtime else []

    # -- people acting -----------------------------------------------------------------------
    def person(self, user_id: int, name: str | None = None, lang: str | None = None) -> Person:
        return self.server.world.person(user_id, name, lang)

    async def say(
        self, user_id: int, text: str, *, name: str | None = None, lang: str | None = None
    ) -> list[Shown]:
        person = self.person(user_id, name, lang)
        return await self.act(lambda: self.server.world.send_text(person, text))

    async def say_in_group(self, user_id: int, group_id: int, text: str) -> list[Shown]:
        """`user_id` writes `text` in the group chat `group_id` (negative), where the bot is."""
        person = self.person(user_id)
        group = self.server.world.group(group_id)
        return await self.act(lambda: self.server.world.send_group_text(person, group, text))

    async def press_in_group(self, user_id: int, group_id: int, data: str) -> list[Shown]:
        """A press on a (forged) button of a bot message in a group chat."""
        world = self.server.world
        person = self.person(user_id)
        group = world.group(group_id)

        def press() -> dict:  # type: ignore[type-arg]
            update = world.press(person, data=data)
            update["callback_query"]["message"] = {
                "message_id": 1,
                "from": world.bot_user(),
                "chat": group.as_chat(),
                "date": 0,
                "text": "…",
            }
            return update

        return await self.act(press)

    async def press(self, user_id: int, label: str | None = None, *, data: str | None = None) -> list[Shown]:
        person = self.person(user_id)
        return await self.act(lambda: self.server.world.press(person, label, data))

    def button_data(self, user_id: int, label: str) -> str:
        """The callback data of the button `label` on the newest bot message to this person that has it
        (to press it again later, as a person replays an old button)."""
        message = self.server.world._find_button(user_id, label, None)
        if message is None:
            raise LookupError(f"no button {label!r} in the messages to {user_id}")
        return next(
            button["callback_data"]
            for row in message["reply_markup"]["inline_keyboard"]
            for button in row
            if button.get("text") == label and "callback_data" in button
        )

    async def photo(self, user_id: int, path: Path, caption: str | None = None) -> list[Shown]:
        person = self.person(user_id)
        content = path.read_bytes()
        return await self.act(lambda: self.server.world.send_photo(person, path.name, content, caption))

    async def album(self, user_id: int, paths: list[Path], caption: str | None = None) -> list[Shown]:
        person = self.person(user_id)
        files = [(path.name, path.read_bytes()) for path in paths]
        return await self.act(lambda: self.server.world.send_album(person, files, caption))

    async def edit(self, user_id: int, text: str) -> list[Shown]:
        """The person edits their newest message to read `text`."""
        person = self.person(user_id)
        return await self.act(lambda: self.server.world.edit_text(person, text))

    async def document(self, user_id: int, path: Path) -> list[Shown]:
        person = self.person(user_id)
        content = path.read_bytes()
        return await self.act(lambda: self.server.world.send_document(person, path.name, content))

    async def sticker(self, user_id: int) -> list[Shown]:
        person = self.person(user_id)
        return await self.act(lambda: self.server.world.send_sticker(person))

    async def voice(self, user_id: int) -> list[Shown]:
        person = self.person(user_id)
        return await self.act(lambda: self.server.world.send_voice(person))

    async def flood(self, user_id: int, texts: list[str]) -> list[Shown]:
        """Several messages at the same moment, as a burst of typing or a paste would send."""
        person = self.person(user_id)
        return await self.act(lambda: [self.server.world.send_text(person, t) for t in texts])

    async def block(self, user_id: int) -> list[Shown]:
        person = self.person(user_id)
        return await self.act(lambda: setattr(person, "blocked_bot", True))

    async def advance_clock(self, moment: datetime) -> list[Shown]:
        mark = len(self.shown)
        self.step += 1
        await self.clock.advance_to(moment)
        await self.idle()
        self.save()
        return self.shown[mark:]

    # -- waiting ---------------------------------------------------------------------------------
    async def act(self, action: Callable[[], Any]) -> list[Shown]:
        mark = len(self.shown)
        self.step += 1
        action()
        await self.idle()
        self.save()
        return self.shown[mark:]

    def is_idle(self) -> bool:
        activity = self.runtime.activity  # type: ignore[union-attr]
        world = self.server.world
        return (
            activity.finished >= world.updates_created - self._updates_before
            and activity.in_flight == 0
            and not any(probe() for probe in self.busy_probes)
        )

    async def idle(self) -> None:
        await self._until(self.is_idle)

    async def _until(self, condition: Callable[[], bool]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.idle_timeout
        while not condition():
            if loop.time() > deadline:
                raise TimeoutError(f"the bot did not become idle within {self.idle_timeout}s")
            await asyncio.sleep(0.005)


async def _wake(sender: Sender) -> None:
    sender.wake()


def transcript_line(step: int, shown: Shown) -> dict[str, Any]:
    """One line of the public transcript format (see the README)."""
    line: dict[str, Any] = {"step": step, "to": shown.to, "method": shown.method, "text": shown.text}
    data = asdict(shown)
    for key in ("buttons", "keyboard", "message_id", "file"):
        if data[key] is not None:
            line[key] = data[key]
    if shown.alert:
        line["alert"] = True
    return line

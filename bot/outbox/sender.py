"""The outbox sender: claims due rows, sends them at a steady pace, records what Telegram said.

Outcomes: sent (with the message id) · 429 → back in the queue after `retry_after`, that chat
paused · 403 → the person is marked blocked and their queued rows closed · 400 → failed, the
error kept · 5xx and refused connections → retried with backoff, at most `outbox_max_attempts` ·
a timeout or a dropped connection after the request went out → "unknown": Telegram has no
idempotency key for bots, so it is not resent blindly (`python -m bot outbox requeue-unknown`).
Rows of one chat go out in order, one at a time; different chats go out in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message
from sqlalchemy import update

from bot.config import Settings
from bot.db.engine import SessionFactory
from bot.db.models import Delivery, Notification
from bot.outbox import store
from bot.runtime.clock import Clock
from core.limits import MAX_CAPTION, visible_length
from core.pacing import ChatPacers, Pacer

log = logging.getLogger(__name__)

# Notifications with a file (charts) kept at hand by a sender; a broadcast sends one at a time.
BLOB_CACHE = 8


@dataclass
class SenderStats:
    sent: int = 0
    retried: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0
    answers_429: int = 0


@dataclass
class _Outcome:
    status: str  # sent, pending (again), failed, blocked, unknown
    values: dict[str, Any]


class _Journal:
    """A sender's row updates, written many to a transaction.

    Each chat's task waits for its own update to be committed (a row must be marked "sending"
    before its request goes out), but the updates of all chats waiting at that moment share one
    commit: on SQLite, whose single writer commits a few hundred times a second, this is what
    keeps the sender at Telegram's pace.
    """

    def __init__(self, session_factory: SessionFactory, worker: str) -> None:
        self.session_factory = session_factory
        self.worker = worker
        self._waiting: list[tuple[str, int, dict[str, Any], asyncio.Future[bool]]] = []
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def mark_sending(self, delivery_id: int) -> bool:
        return await self._submit("sending", delivery_id, {})

    async def finish(self, delivery_id: int, values: dict[str, Any]) -> None:
        await self._submit("finish", delivery_id, values)

    async def _submit(self, kind: str, delivery_id: int, values: dict[str, Any]) -> bool:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write())
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((kind, delivery_id, values, done))
        self._ready.set()
        return await done

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _write(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            batch, self._waiting = self._waiting, []
            if not batch:
                continue
            try:
                async with self.session_factory() as session:
                    results = [
                        await store.start_sending(session, delivery_id, self.worker, commit=False)
                        if kind == "sending"
                        else await store.finish(session, delivery_id, self.worker, commit=False, **values)
                        for kind, delivery_id, values, _done in batch
                    ]
                    await session.commit()
            except Exception as error:
                for *_rest, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for (*_rest, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(bool(result))


class Sender:
    def __init__(
        self,
        session_factory: SessionFactory,
        bot: Bot,
        clock: Clock,
        settings: Settings,
        *,
        worker: str | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.bot = bot
        self.clock = clock
        self.settings = settings
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.pacer = Pacer(settings.outbox_rate)
        self.chat_pacers = ChatPacers(settings.outbox_chat_rate, settings.outbox_chat_burst)
        self.stats = SenderStats()
        self._queues: dict[int, deque[Delivery]] = {}
        self._chat_tasks: dict[int, asyncio.Task[None]] = {}
        self._in_flight = 0
        self._wake = asyncio.Event()
        self._dirty = True  # something may be due that we have not looked for yet
        self._claiming = False
        self._next_due: datetime | None = None
        self._blobs: OrderedDict[int, Notification] = OrderedDict()  # the latest BLOB_CACHE
        self._upload_locks: dict[int, asyncio.Lock] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._journal = _Journal(session_factory, self.worker)

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"outbox-sender {self.worker}")

    async def stop(self) -> None:
        """Stops claiming and lets the rows in hand finish."""
        self._stopping = True
        self.wake()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._chat_tasks:
            await asyncio.gather(*self._chat_tasks.values(), return_exceptions=True)
        await self._journal.close()

    def wake(self, *_args: object) -> None:
        """Something was queued or time moved: look for due rows now."""
        self._dirty = True
        self._wake.set()

    @property
    def busy(self) -> bool:
        """Work in hand or due within seconds (a retry): the sandbox waits for this to clear."""
        if self._in_flight:
            return True
        if self._stopping:
            return False
        if self._dirty or self._claiming:
            return True
        soon = self.clock.now() + timedelta(seconds=5)
        return self._next_due is not None and self._next_due <= soon

    async def run(self) -> None:
        last_recovery = -float("inf")
        while not self._stopping:
            self._claiming = True  # busy from here until the claimed rows are counted in flight
            self._dirty = False
            self._wake.clear()
            try:
                if time.monotonic() - last_recovery > self.settings.outbox_lease_seconds:
                    await self.recover()
                    last_recovery = time.monotonic()
                claimed = await self._claim()
            except Exception:
                log.exception("outbox: claiming failed; trying again shortly")
                claimed = 0
                await asyncio.sleep(1.0)
            finally:
                self._claiming = False
            if claimed:
                continue
            await self._sleep()

    async def recover(self) -> int:
        async with self.session_factory() as session:
            back, lost = await store.recover(session, self.clock.now())
        if back:
            log.info("outbox: %d deliveries claimed by a stopped sender are queued again", back)
        if lost:
            log.warning("outbox: %d deliveries were in flight when a sender stopped; marked unknown", lost)
        return lost

    async def _claim(self) -> int:
        room = self.settings.outbox_batch - self._in_flight
        if room <= 0:
            return 0
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.outbox_lease_seconds)
        async with self.session_factory() as session:
            rows = await store.claim(session, self.worker, now, lease, room)
            self._next_due = None if rows else await store.next_due(session)
        for row in rows:
            self._in_flight += 1
            self._queues.setdefault(row.chat_id, deque()).append(row)
            if row.chat_id not in self._chat_tasks:
                self._chat_tasks[row.chat_id] = asyncio.create_task(self._drain_chat(row.chat_id))
        return len(rows)

    async def _sleep(self) -> None:
        timeout = self.settings.outbox_poll_seconds
        if self._next_due is not None:
            until_due = (self._next_due - self.clock.now()).total_seconds()
            timeout = max(0.0, min(timeout, until_due))
        if self._in_flight >= self.settings.outbox_batch:
            timeout = self.settings.outbox_poll_seconds
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    # -- sending ---------------------------------------------------------------------------------
    async def _drain_chat(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        try:
            while queue:
                row = queue[0]
                try:
                    await self._deliver(row)
                except Exception:
                    log.exception("outbox: delivery %s failed unexpectedly", row.id)
                    await self._record(row, _Outcome("unknown", {"error": "internal error while sending"}))
                queue.popleft()
                self._in_flight -= 1
                self.wake()
        finally:
            self._chat_tasks.pop(chat_id, None)
            if not queue:
                self._queues.pop(chat_id, None)

    async def _pace(self, chat_id: int) -> None:
        wait = self.chat_pacers[chat_id].reserve(time.monotonic())
        if wait:
            await asyncio.sleep(wait)
        wait = self.pacer.reserve(time.monotonic())
        if wait:
            await asyncio.sleep(wait)

    async def _deliver(self, row: Delivery) -> None:
        await self._pace(row.chat_id)
        if not await self._journal.mark_sending(row.id):  # type: ignore[arg-type]
            return  # our lease ran out and another sender took the row
        row.attempts += 1
        outcome = await self._attempt(row)
        await self._record(row, outcome)

    async def _attempt(self, row: Delivery) -> _Outcome:
        now = self.clock.now
        try:
            message_id = await self._send(row)
        except TelegramRetryAfter as error:
            self.stats.answers_429 += 1
            self.chat_pacers[row.chat_id].pause_until(time.monotonic() + error.retry_after)
            return _Outcome(
                "pending",
                {"due_at": now() + timedelta(seconds=error.retry_after), "attempts": row.attempts - 1},
            )
        except TelegramForbiddenError as error:
            return _Outcome("blocked", {"error": error.message})
        except TelegramBadRequest as error:
            return _Outcome("failed", {"error": error.message})
        except (TelegramServerError, TelegramNetworkError) as error:
            if isinstance(error, TelegramNetworkError) and not _refused(error):
                return _Outcome("unknown", {"error": error.message})
            if row.attempts >= self.settings.outbox_max_attempts:
                return _Outcome("failed", {"error": error.message})
            backoff = min(300.0, 0.5 * 2 ** (row.attempts - 1))
            return _Outcome("pending", {"due_at": now() + timedelta(seconds=backoff), "error": error.message})
        except TelegramAPIError as error:
            return _Outcome("failed", {"error": error.message})
        return _Outcome("sent", {"message_id": message_id, "error": None})

    async def _record(self, row: Delivery, outcome: _Outcome) -> None:
        values = dict(outcome.values)
        values["status"] = outcome.status
        if outcome.status == "pending":
            values.update(worker=None, lease_until=None)
            self.stats.retried += 1
            self._next_due = min(filter(None, (self._next_due, values.get("due_at"))), default=None)
        else:
            values["sent_at"] = self.clock.now()
            setattr(self.stats, outcome.status, getattr(self.stats, outcome.status) + 1)
        await self._journal.finish(row.id, values)  # type: ignore[arg-type]
        if outcome.status == "blocked":
            async with self.session_factory() as session:
                await store.close_for_blocked(session, row.user_id, self.clock.now())
        if outcome.status == "failed":
            log.warning("outbox: delivery %s failed: %s", row.id, values.get("error"))

    async def _send(self, row: Delivery) -> int:
        """Sends one row and returns the message id Telegram gave it."""
        markup = InlineKeyboardMarkup.model_validate(json.loads(row.markup)) if row.markup else None
        if row.edit_key:
            edited = await self._edit_in_place(row, markup)
            if edited is not None:
                return edited
        if row.media_kind and not row.media_sent:
            caption = row.text if visible_length(row.text) <= MAX_CAPTION else None
            message = await self._send_media(row, caption, markup if caption else None)
            if caption is not None:
                return message.message_id
            async with self.session_factory() as session:
                # The file went out: a retry must not send it twice.
                await session.exec(update(Delivery).where(Delivery.id == row.id).values(media_sent=True))  # type: ignore[arg-type]
                await session.commit()
            row.media_sent = True
        message = await self.bot.send_message(row.chat_id, row.text, reply_markup=markup)
        return message.message_id

    async def _edit_in_place(self, row: Delivery, markup: InlineKeyboardMarkup | None) -> int | None:
        async with self.session_factory() as session:
            previous = await store.last_message(session, row.user_id, row.edit_key)  # type: ignore[arg-type]
        if previous is None:
            return None
        try:
            await self.bot.edit_message_text(
                text=row.text, chat_id=row.chat_id, message_id=previous, reply_markup=markup
            )
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return previous
            return None  # deleted or too old to edit: a new message instead
        return previous

    async def _send_media(
        self, row: Delivery, caption: str | None, markup: InlineKeyboardMarkup | None
    ) -> Message:
        if row.media is not None:
            return await self._send_file(row, row.media, caption, markup)
        blob = await self.blob(row.notification_id)
        if blob.blob_file_id is None:
            # One upload per notification: the first delivery uploads, the others wait for its file id.
            async with self._upload_locks.setdefault(row.notification_id, asyncio.Lock()):
                if blob.blob_file_id is None:
                    return await self._send_file(row, None, caption, markup)
        return await self._send_file(row, blob.blob_file_id, caption, markup)

    async def _send_file(
        self, row: Delivery, file_id: str | None, caption: str | None, markup: InlineKeyboardMarkup | None
    ) -> Message:
        file: Any = file_id
        blob: Notification | None = None
        if file is None:
            blob = await self.blob(row.notification_id)
            file = blob.blob_file_id or BufferedInputFile(blob.blob or b"", blob.blob_name or "file")
        if row.media_kind == "document":
            message = await self.bot.send_document(row.chat_id, file, caption=caption, reply_markup=markup)
            file_id = message.document.file_id if message.document else None
        else:
            message = await self.bot.send_photo(row.chat_id, file, caption=caption, reply_markup=markup)
            file_id = message.photo[-1].file_id if message.photo else None
        if blob is not None and blob.blob_file_id is None and file_id:
            blob.blob_file_id = file_id  # uploaded once; the rest reuse Telegram's copy
            blob.blob = None  # so the bytes need not stay in memory
            async with self.session_factory() as session:
                await session.exec(
                    update(Notification).where(Notification.id == blob.id).values(blob_file_id=file_id)  # type: ignore[arg-type]
                )
                await session.commit()
        return message

    @property
    def files_at_hand(self) -> list[Notification]:
        """The notifications whose files are cached, the least recently used first (at most
        BLOB_CACHE: what the tests check the cache by)."""
        return list(self._blobs.values())

    async def blob(self, notification_id: int) -> Notification:
        """The notification whose file is being sent; only the latest few stay cached."""
        found = self._blobs.get(notification_id)
        if found is not None:
            self._blobs.move_to_end(notification_id)
            return found
        async with self.session_factory() as session:
            found = await session.get(Notification, notification_id)
        if found is None:
            raise LookupError(f"notification {notification_id} is gone")
        self._blobs[notification_id] = found
        while len(self._blobs) > BLOB_CACHE:
            oldest, _notification = self._blobs.popitem(last=False)
            lock = self._upload_locks.get(oldest)
            if lock is not None and not lock.locked():
                del self._upload_locks[oldest]
        return found


def _refused(error: TelegramNetworkError) -> bool:
    """The connection was never made, so nothing reached Telegram and a retry is safe."""
    return error.message.startswith(("ClientConnectorError", "ClientConnectorDNSError"))

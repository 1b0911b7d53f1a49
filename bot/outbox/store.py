"""Outbox rows: queued in the caller's transaction, claimed by senders, closed with an outcome.

Claims are `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`: on PostgreSQL two
senders skip each other's rows; on SQLite the statement runs under the single write lock
(`BEGIN IMMEDIATE`), which makes it just as exclusive.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Delivery, Notification, User
from bot.db.upsert import insert_ignoring_conflicts

OPEN = ("pending", "claimed", "sending")
CLOSED = ("sent", "failed", "blocked", "unknown", "cancelled")


@dataclass(frozen=True)
class Letter:
    """What one recipient gets: text, buttons (as Bot API JSON) and an optional file."""

    text: str
    markup: dict[str, Any] | None = None
    media_kind: str | None = None  # photo, document
    media: str | None = None  # a Telegram file id; None with a media_kind means the notification's blob
    edit_key: str | None = None


async def notification(
    session: AsyncSession,
    key: str,
    kind: str,
    now: datetime,
    *,
    created_by: int | None = None,
    summary: str | None = None,
    blob: bytes | None = None,
    blob_name: str | None = None,
) -> tuple[Notification, bool]:
    """The notification with this key, made if new; True when this call made it."""
    result = await session.exec(
        insert_ignoring_conflicts(
            session,
            Notification,
            {
                "key": key,
                "kind": kind,
                "created_by": created_by,
                "summary": summary,
                "blob": blob,
                "blob_name": blob_name,
                "created_at": now,
            },
        )
    )
    found = (await session.exec(select(Notification).where(Notification.key == key))).scalar_one()  # type: ignore[call-overload]
    return found, bool(result.rowcount)


async def exists(session: AsyncSession, key: str) -> bool:
    found = await session.exec(select(Notification.id).where(Notification.key == key))  # type: ignore[call-overload]
    return found.first() is not None


async def add_delivery(
    session: AsyncSession, notification_id: int, user: User, letter: Letter, due_at: datetime, now: datetime
) -> bool:
    """One row per recipient; a second call for the same pair changes nothing."""
    blocked = user.is_blocked
    result = await session.exec(
        insert_ignoring_conflicts(
            session,
            Delivery,
            {
                "notification_id": notification_id,
                "user_id": user.id,
                "chat_id": user.telegram_id,
                "status": "blocked" if blocked else "pending",
                "text": letter.text,
                "markup": json.dumps(letter.markup, ensure_ascii=False) if letter.markup else None,
                "media_kind": letter.media_kind,
                "media": letter.media,
                "media_sent": False,
                "edit_key": letter.edit_key,
                "due_at": due_at,
                "attempts": 0,
                "created_at": now,
            },
        )
    )
    return bool(result.rowcount) and not blocked


async def claim(
    session: AsyncSession, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[Delivery]:
    """Takes up to `limit` due rows for this worker, oldest first, and commits.

    A claimed row is not yet being sent: if the worker dies now, the row simply goes back.
    """
    due = (
        select(Delivery.id)
        .where(Delivery.status == "pending", Delivery.due_at <= now)
        .order_by(Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Delivery)
        .where(Delivery.id.in_(due.scalar_subquery()))  # type: ignore[union-attr]
        .values(status="claimed", worker=worker, lease_until=now + lease)
        .returning(Delivery)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.exec(statement)).scalars().all())
    await session.commit()
    return sorted(rows, key=lambda row: row.id or 0)


async def start_sending(
    session: AsyncSession, delivery_id: int, claimed_by: str, *, commit: bool = True
) -> bool:
    """Marks the one row whose request goes out now: from here a crash leaves it "unknown"."""
    result = await session.exec(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "claimed", Delivery.worker == claimed_by)  # type: ignore[arg-type]
        .values(status="sending", attempts=Delivery.attempts + 1)
    )
    if commit:
        await session.commit()
    return result.rowcount == 1


async def finish(
    session: AsyncSession, delivery_id: int, claimed_by: str, *, commit: bool = True, **values: Any
) -> bool:
    """Records an outcome, only if the row is still this worker's claim."""
    result = await session.exec(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "sending", Delivery.worker == claimed_by)  # type: ignore[arg-type]
        .values(**values)
    )
    if commit:
        await session.commit()
    return result.rowcount == 1


async def close_for_blocked(session: AsyncSession, user_id: int, now: datetime) -> int:
    """A person who blocked the bot gets nothing more: their queued rows are closed."""
    result = await session.exec(
        update(Delivery)
        .where(Delivery.user_id == user_id, Delivery.status == "pending")  # type: ignore[arg-type]
        .values(status="blocked", error="the user blocked the bot", sent_at=now)
    )
    await session.exec(update(User).where(User.id == user_id).values(is_blocked=True))  # type: ignore[arg-type]
    await session.commit()
    return result.rowcount or 0


async def recover(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """After a sender died (its lease ran out): rows it had only claimed go back to the queue;
    the rows whose request was out become "unknown": maybe sent, maybe not. Returns both counts."""
    back = await session.exec(
        update(Delivery)
        .where(Delivery.status == "claimed", Delivery.lease_until < now)  # type: ignore[arg-type, operator]
        .values(status="pending", worker=None, lease_until=None)
    )
    lost = await session.exec(
        update(Delivery)
        .where(Delivery.status == "sending", Delivery.lease_until < now)  # type: ignore[arg-type, operator]
        .values(status="unknown", error="the sender stopped while this was in flight")
    )
    await session.commit()
    return back.rowcount or 0, lost.rowcount or 0


async def requeue_unknown(session: AsyncSession, now: datetime) -> int:
    """An operator's decision: send the "unknown" rows again, accepting possible duplicates."""
    result = await session.exec(
        update(Delivery)
        .where(Delivery.status == "unknown")  # type: ignore[arg-type]
        .values(status="pending", due_at=now, worker=None, lease_until=None)
    )
    await session.commit()
    return result.rowcount or 0


async def next_due(session: AsyncSession) -> datetime | None:
    return (
        await session.exec(select(func.min(Delivery.due_at)).where(Delivery.status == "pending"))
    ).scalar_one_or_none()


async def counts(session: AsyncSession, notification_id: int | None = None) -> Counter[str]:
    query = select(Delivery.status, func.count()).group_by(Delivery.status)
    if notification_id is not None:
        query = query.where(Delivery.notification_id == notification_id)
    return Counter({status: n for status, n in (await session.exec(query)).all()})


async def last_message(session: AsyncSession, user_id: int, edit_key: str) -> int | None:
    """The message the latest sent delivery under `edit_key` left in this person's chat."""
    return (
        await session.exec(
            select(Delivery.message_id)
            .where(
                Delivery.user_id == user_id,
                Delivery.edit_key == edit_key,
                Delivery.status == "sent",
                Delivery.message_id.is_not(None),  # type: ignore[union-attr]
            )
            .order_by(Delivery.id.desc())  # type: ignore[union-attr]
            .limit(1)
        )
    ).scalar_one_or_none()

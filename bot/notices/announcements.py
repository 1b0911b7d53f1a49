"""The office's announcements (README, "Projects under supervision": /announce): queued for an
audience outside the quiet hours, with delivery statistics afterwards."""

from __future__ import annotations

from collections import Counter

from aiogram.utils.i18n import gettext as _

from bot.db.models import User
from bot.office_texts import ANNOUNCEMENT_HEAD
from bot.outbox import store
from bot.services.container import Services
from core.limits import shorten
from core.safe_html import esc

SUMMARY = 200  # UTF-16 units of an announcement on its statistics page


def announcement(text: str) -> str:
    """An announcement as its readers see it: the office's heading over the text (escaped here)."""
    return _(ANNOUNCEMENT_HEAD) + "\n\n" + esc(text)


async def announce(
    services: Services, author: User, key: str, readers: list[User], text: str, photo: str | None
) -> tuple[int, int]:
    """Queues `text` (and a photo's file id) for `readers`; `key` names the occasion, so a double
    click queues it once. Returns (letters queued now, the notification's id for its statistics)."""
    queued = await services.outbox.notify(
        services.session,
        key,
        "announcement",
        readers,
        lambda _user: announcement(text),
        urgent=False,
        media_kind="photo" if photo else None,
        media=photo,
        created_by=author.id,
        summary=shorten(text, SUMMARY),
    )
    notification, _new = await store.notification(services.session, key, "announcement", services.clock.now())
    return queued, notification.id or 0


async def delivery_counts(services: Services, notification_id: int) -> Counter[str]:
    """How an announcement's letters stand, by delivery status."""
    return await store.counts(services.session, notification_id)

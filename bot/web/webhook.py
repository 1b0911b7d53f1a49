"""Webhook mode: Telegram POSTs each update; it is acknowledged only after it was handled.

aiogram's own request handler can answer first and handle in the background; here the answer
waits for the handler, so a crash mid-way makes Telegram deliver the update again instead of
losing it. A redelivered update (same update_id) is recognised and answered without handling it
twice. `/healthz` checks the database; `/metrics` speaks Prometheus' text format.
"""

from __future__ import annotations

import hmac
import logging
from collections import Counter, OrderedDict

from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import text

from bot.outbox import store
from bot.runtime.app import Runtime
from bot.web.board import Board

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POISON_ATTEMPTS = 5  # deliveries of one update before it is handled as final and acknowledged


class RecentUpdates:
    """The last update ids seen, to ignore Telegram's redeliveries (bounded memory)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[int, None] = OrderedDict()

    async def first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True

    async def forget(self, update_id: int) -> None:
        self._seen.pop(update_id, None)

    async def close(self) -> None:
        pass


class SharedRecentUpdates:
    """The same across replicas, in Redis: whichever replica gets an update first handles it.

    Telegram redelivers for at most a day, so ids are kept for a day.
    """

    def __init__(self, url: str, prefix: str = "minsheng", ttl_seconds: int = 86_400) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url)
        self.prefix = f"{prefix}:update:"
        self.ttl = ttl_seconds

    async def first_time(self, update_id: int) -> bool:
        return bool(await self.redis.set(f"{self.prefix}{update_id}", 1, nx=True, ex=self.ttl))

    async def forget(self, update_id: int) -> None:
        await self.redis.delete(f"{self.prefix}{update_id}")

    async def close(self) -> None:
        await self.redis.aclose()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of a secret sent in a header with ours. Header values are bytes
    that aiohttp reads as Latin-1, so `given` may hold any character: compared as UTF-8 bytes
    (hmac.compare_digest refuses non-ASCII str with TypeError, which was a 500)."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def build_app(runtime: Runtime, secret: str, path: str = "/webhook") -> web.Application:
    if not secret:
        # An empty secret would let a request without the header pass the comparison below.
        raise ValueError("the webhook needs a non-empty secret token")
    recent = (
        SharedRecentUpdates(runtime.settings.redis_url, runtime.settings.redis_prefix)
        if runtime.settings.redis_url
        else RecentUpdates()
    )
    metrics: Counter[str] = Counter()
    attempts: Counter[int] = Counter()  # failed deliveries per update id, until it succeeds
    app = web.Application()
    Board(runtime.session_factory, runtime.i18n, runtime.settings, runtime.bot).routes(app)

    async def webhook(request: web.Request) -> web.Response:
        if not same_secret(request.headers.get(SECRET_HEADER, ""), secret):
            metrics["rejected"] += 1
            return web.Response(status=401, text="wrong secret token")
        try:
            update = Update.model_validate(await request.json(), context={"bot": runtime.bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="not an update")
        if not await recent.first_time(update.update_id):
            metrics["duplicates"] += 1
            return web.Response(text="ok")
        failures = len(runtime.activity.failures)
        attempts[update.update_id] += 1
        # A failure worth retrying (database, network) is answered 500 so that Telegram delivers
        # the update again, up to POISON_ATTEMPTS times; the last attempt is handled as final
        # (apologised for, acknowledged), so a poison update cannot come back forever.
        final = attempts[update.update_id] >= POISON_ATTEMPTS
        try:
            await runtime.dispatcher.feed_update(runtime.bot, update, redelivered_if_failed=not final)
        except Exception:
            if final:  # even the error handling failed: acknowledged all the same
                log.error("update %s dropped after %s failed attempts", update.update_id, POISON_ATTEMPTS)
                attempts.pop(update.update_id, None)
                metrics["dropped"] += 1
                return web.Response(text="dropped")
            # Not acknowledged: Telegram will deliver it again, and then it is handled anew.
            await recent.forget(update.update_id)
            metrics["errors"] += 1
            log.warning("update %s failed; Telegram will redeliver it", update.update_id)
            return web.Response(status=500, text="failed")
        attempts.pop(update.update_id, None)
        if final and len(runtime.activity.failures) > failures:
            log.error(
                "update %s dropped after %s failed attempts (apologised for)",
                update.update_id,
                POISON_ATTEMPTS,
            )
            metrics["dropped"] += 1
        metrics["handled"] += 1
        metrics["errors"] += len(runtime.activity.failures) - failures
        return web.Response(text="ok")

    async def healthz(request: web.Request) -> web.Response:
        try:
            async with runtime.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # the database is what the bot cannot work without
            # Said to anyone: ok or not, never the driver's words (hosts, ports, users); logged here.
            log.exception("health check: the database is not reachable")
            return web.json_response({"status": "unhealthy"}, status=503)
        return web.json_response({"status": "ok"})

    metrics_token = (
        runtime.settings.metrics_token.get_secret_value() if runtime.settings.metrics_token else ""
    )

    async def prometheus(request: web.Request) -> web.Response:
        # Only with METRICS_TOKEN set and sent as a bearer token: the counts say how busy the
        # office is and whether deliveries fail, which is nobody else's business.
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not metrics_token or not same_secret(given, metrics_token):
            raise web.HTTPNotFound(text="not found")
        lines = [
            "# HELP minsheng_updates_total Updates received by the webhook, by outcome.",
            "# TYPE minsheng_updates_total counter",
            *(
                f'minsheng_updates_total{{outcome="{name}"}} {metrics[name]}'
                for name in ("handled", "duplicates", "rejected", "errors", "dropped")
            ),
            "# HELP minsheng_updates_in_flight Updates being handled now.",
            "# TYPE minsheng_updates_in_flight gauge",
            f"minsheng_updates_in_flight {runtime.activity.in_flight}",
            *await outbox_lines(runtime),
        ]
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")

    async def outbox_lines(runtime: Runtime) -> list[str]:
        async with runtime.session_factory() as session:
            backlog = await store.counts(session)
        stats = runtime.sender.stats
        return [
            "# HELP minsheng_outbox_deliveries Delivery rows in the outbox, by status (all senders).",
            "# TYPE minsheng_outbox_deliveries gauge",
            *(
                f'minsheng_outbox_deliveries{{status="{status}"}} {backlog[status]}'
                for status in (*store.OPEN, *store.CLOSED)
            ),
            "# HELP minsheng_sends_total Sends by this process's outbox sender, by result.",
            "# TYPE minsheng_sends_total counter",
            *(
                f'minsheng_sends_total{{result="{name}"}} {getattr(stats, name)}'
                for name in ("sent", "retried", "blocked", "failed", "unknown")
            ),
        ]

    async def close_recent(_app: web.Application) -> None:
        await recent.close()

    app.on_cleanup.append(close_recent)
    app.router.add_post(path, webhook)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", prometheus)
    return app

"""Builds the running bot: storage, i18n, Bot, Dispatcher with its middlewares and routers."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Update
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.activity import Activity
from bot.config import Settings
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.db.fsm_storage import DatabaseStorage
from bot.db.migrate import upgrade
from bot.keys import ensure_pseudonym_secret, webhook_secret
from bot.middlewares.callbacks import CallbackAnswers
from bot.middlewares.clean import CleanTextMiddleware
from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.middlewares.user import UserMiddleware
from bot.notify import Notifier
from bot.outbox.sender import Sender
from bot.runtime.clock import Clock, SystemClock
from bot.runtime.commands import register_default_commands
from bot.runtime.i18n import UserLocaleMiddleware, build_i18n
from bot.runtime.scheduler import Scheduler
from bot.runtime.telegram import create_bot, create_sender_bot
from core.categories import default_categories, load_user_words
from core.classify import Classifier
from handlers import log_permission_map, setup_routers

log = logging.getLogger(__name__)


class MinshengDispatcher(Dispatcher):
    """aiogram's Dispatcher, counting each update from arrival to the end of error handling."""

    def __init__(self, *, activity: Activity, **kwargs: Any) -> None:
        # The activity is also workflow data, so error handlers can record failures in it.
        super().__init__(activity=activity, **kwargs)
        self.activity = activity

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        self.activity.started += 1
        try:
            return await super().feed_update(bot, update, **kwargs)
        except Exception as error:
            # Only reaches here when even the error handlers failed.
            self.activity.failures.append((update.update_id, error))
            raise
        finally:
            self.activity.finished += 1


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    session_factory: SessionFactory
    i18n: I18n
    storage: BaseStorage
    activity: Activity
    dispatcher: MinshengDispatcher
    bot: Bot
    scheduler: Scheduler
    sender: Sender
    notifier: Notifier  # handlers reach it as `services.notifier` (bot/middlewares/db.py)

    def start_background(self) -> None:
        """The outbox sender and the clock-driven jobs (not started by a bare build, for tests)."""
        self.sender.start()
        self.scheduler.start()

    async def close(self) -> None:
        self.scheduler.shutdown()
        await self.sender.stop()
        await self.sender.bot.session.close()
        await self.bot.session.close()
        await self.storage.close()
        await self.dispatcher.fsm.events_isolation.close()
        await self.engine.dispose()


@functools.cache
def _classifier(cache_dir: Path) -> Classifier:
    return Classifier(default_categories(), user_words=load_user_words(), cache_dir=cache_dir)


def build_classifier(settings: Settings) -> Classifier:
    """One per process: it is immutable once built, and building it takes most of a second."""
    return _classifier(settings.data_dir.resolve() / "jieba")


def create_isolation(settings: Settings) -> BaseEventIsolation:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisEventIsolation

        return RedisEventIsolation.from_url(
            settings.redis_url, key_builder=DefaultKeyBuilder(prefix=f"{settings.redis_prefix}:fsm")
        )
    return SimpleEventIsolation()


def create_storage(settings: Settings, engine: AsyncEngine | None = None) -> BaseStorage:
    """Redis when REDIS_URL is set (shared by replicas); otherwise the bot's database (`engine`), so
    a conversation in progress survives a restart (issue 14, fault 9). ValueError without either."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage

        return RedisStorage.from_url(
            settings.redis_url, key_builder=DefaultKeyBuilder(prefix=f"{settings.redis_prefix}:fsm")
        )
    if engine is None:
        raise ValueError("without REDIS_URL the FSM storage needs the database engine")
    return DatabaseStorage(engine)


async def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    token: str | None = None,
    api_base: str | None = None,
    throttle_time: Callable[[], float] | None = None,
    api_sleep: Callable[[float], Awaitable[None]] | None = None,
) -> Runtime:
    clock = clock or SystemClock(settings.tz)
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    session_factory = create_session_factory(engine)
    i18n = build_i18n(settings.locales_dir, settings.data_dir, settings.default_locale)
    storage = create_storage(settings, engine)
    classifier = build_classifier(settings)
    activity = Activity()
    dispatcher = MinshengDispatcher(
        activity=activity,
        storage=storage,
        # One update at a time per person: a double click sees the first click's result.
        events_isolation=create_isolation(settings),
        classifier=classifier,
        settings=settings,
        clock=clock,
        session_factory=session_factory,
        i18n=i18n,
    )
    # Order matters: clean text first, the session next, then who is speaking, then their language, then the
    # flood guard (which answers in that language).
    notifier = Notifier(i18n, clock, settings)
    # People's text is cleaned once, before anything reads or stores it.
    dispatcher.update.outer_middleware(CleanTextMiddleware())
    dispatcher.update.outer_middleware(DbSessionMiddleware(session_factory, clock, settings, notifier))
    dispatcher.update.outer_middleware(UserMiddleware())
    dispatcher.update.outer_middleware(UserLocaleMiddleware(i18n))
    throttle_kwargs = {"time_source": throttle_time} if throttle_time else {}
    dispatcher.update.outer_middleware(
        ThrottlingMiddleware(settings.throttle_rate, settings.throttle_burst, **throttle_kwargs)
    )
    # Every button press is answered exactly once, after its handler: handlers set the text or
    # alert on the injected `callback_answer` (Telegram refuses a second answer to one query).
    dispatcher.callback_query.middleware(CallbackAnswers())
    routers = setup_routers()
    dispatcher.include_router(routers)
    log_permission_map(routers)
    bot_token = token or (settings.bot_token.get_secret_value() if settings.bot_token else "")
    bot = create_bot(
        bot_token,
        api_base or settings.telegram_api_base,
        settings.api_max_retries,
        **({"sleep": api_sleep} if api_sleep else {}),
    )
    scheduler = Scheduler(session_factory, clock, settings, notifier, engine)
    sender_bot = create_sender_bot(
        bot_token, api_base or settings.telegram_api_base, settings.outbox_send_timeout
    )
    sender = Sender(session_factory, sender_bot, clock, settings)
    notifier.on_queued(sender.wake)

    async def on_startup(bot: Bot) -> None:
        await register_default_commands(bot, i18n)

    dispatcher.startup.register(on_startup)
    return Runtime(
        settings,
        clock,
        engine,
        session_factory,
        i18n,
        storage,
        activity,
        dispatcher,
        bot,
        scheduler,
        sender,
        notifier,
    )


async def run_polling(settings: Settings) -> None:
    """Production: long polling against Telegram (or TELEGRAM_API_BASE), until a signal."""
    ensure_pseudonym_secret(settings)
    runtime = await build_runtime(settings)
    board = None
    try:
        me = await reach_telegram(runtime.bot, settings)
        log.info("running as @%s", me.username)
        runtime.start_background()
        board = await start_board(runtime) if settings.board_port else None
        await runtime.dispatcher.start_polling(runtime.bot, handle_signals=True)
    finally:
        if board is not None:
            await board.cleanup()
        await runtime.close()


async def reach_telegram(bot: Bot, settings: Settings, sleep=None, most: float = 60.0):  # type: ignore[no-untyped-def]
    """getMe until Telegram answers: without network, one log line per attempt (no traceback)
    and a wait that doubles up to `most` seconds. A token Telegram refuses is a ConfigError."""
    import asyncio

    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    from bot.config import ConfigError

    wait = 1.0
    where = settings.telegram_api_base or "api.telegram.org"
    while True:
        try:
            return await bot.get_me()
        except TelegramUnauthorizedError:
            raise ConfigError("configuration error: BOT_TOKEN: Telegram refused this token") from None
        except TelegramNetworkError as error:
            log.error("cannot reach Telegram at %s (%s); trying again in %.0fs", where, error, wait)
        await (sleep or asyncio.sleep)(wait)
        wait = min(wait * 2, most)


async def start_board(runtime: Runtime):  # type: ignore[no-untyped-def]
    """The public board beside long polling, on BOARD_HOST:BOARD_PORT."""
    from aiohttp import web

    from bot.web.board import Board, build_board_app

    settings = runtime.settings
    board = Board(runtime.session_factory, runtime.i18n, settings, runtime.bot)
    runner = web.AppRunner(build_board_app(board), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.board_host, settings.board_port).start()
    log.info("public board on %s:%s", settings.board_host, settings.board_port)
    return runner


async def run_webhook(settings: Settings) -> None:
    """Webhook mode: the aiohttp server Telegram POSTs to, until a signal."""
    import asyncio
    import signal

    from aiohttp import web

    from bot.web.webhook import build_app

    secret = webhook_secret(settings)
    ensure_pseudonym_secret(settings)
    runtime = await build_runtime(settings)
    runner = web.AppRunner(build_app(runtime, secret), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await runtime.dispatcher.emit_startup(bot=runtime.bot)
        await runtime.bot.set_webhook(settings.webhook_url, secret_token=secret, drop_pending_updates=False)
        runtime.start_background()
        log.info("webhook mode on %s:%s", settings.webhook_host, settings.webhook_port)
        await stop.wait()
    finally:
        await runner.cleanup()
        await runtime.close()

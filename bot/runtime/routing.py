"""Router post-processing: synchronous filters run in the event loop, not in worker threads."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


def inline_sync_filters(root: Router) -> int:
    """Makes every synchronous filter under `root` a coroutine; returns how many it changed.

    aiogram awaits each non-async filter through `asyncio.to_thread`: every `F.text == …` or lambda
    check became a hop to a worker thread and back, dozens per update as routers are tried in
    turn. Resolving a magic filter is a few attribute reads, so it runs in the loop instead (py-spy
    over benchmarks/throughput.py: those hops were the bot's largest single overhead).
    """
    changed = 0
    for event_filter in _filters(root):
        if not event_filter.awaitable:
            event_filter.callback = _as_coroutine(event_filter.callback)
            event_filter.awaitable = True
            changed += 1
    return changed


def _filters(root: Router) -> Iterator[FilterObject]:
    for router in root.chain_tail:
        for observer in router.observers.values():
            # Each handler's own filters, and the observer-wide ones of `router.message.filter()`.
            for handler in [*observer.handlers, observer._handler]:
                yield from handler.filters or []


def _as_coroutine(check: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(check)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return run

"""The retry layer obeys 429 for every call and retries network errors only where safe."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import EditMessageText, GetMe, SendMessage

from bot.runtime.telegram import RetryMiddleware


class Flaky:
    def __init__(self, errors: list[Exception]) -> None:
        self.errors = errors
        self.calls = 0

    async def __call__(self, bot, method):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def run(middleware: RetryMiddleware, method, errors: list[Exception]) -> tuple[object, Flaky]:  # type: ignore[no-untyped-def]
    request = Flaky(errors)
    return await middleware(request, None, method), request  # type: ignore[arg-type]


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def middleware(sleeps: list[float]) -> RetryMiddleware:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return RetryMiddleware(max_retries=3, sleep=sleep, backoff=0.5)


async def test_429_waits_retry_after_even_for_sends(middleware: RetryMiddleware, sleeps: list[float]) -> None:
    method = SendMessage(chat_id=1, text="x")
    result, request = await run(middleware, method, [TelegramRetryAfter(method, "flood", 7)])
    assert result == "ok" and request.calls == 2 and sleeps == [7]


async def test_429_is_retried_until_the_waits_add_up_to_max_wait(sleeps: list[float]) -> None:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    middleware = RetryMiddleware(max_retries=1, sleep=sleep, max_wait=10)
    method = SendMessage(chat_id=1, text="x")
    result, request = await run(
        middleware, method, [TelegramRetryAfter(method, "flood", 1) for _ in range(9)]
    )
    assert result == "ok" and request.calls == 10 and sum(sleeps) == 9  # many more than max_retries
    with pytest.raises(TelegramRetryAfter):
        await run(middleware, method, [TelegramRetryAfter(method, "flood", 4) for _ in range(3)])


async def test_network_errors_back_off_on_repeatable_calls(
    middleware: RetryMiddleware, sleeps: list[float]
) -> None:
    method = GetMe()
    errors: list[Exception] = [TelegramNetworkError(method, "reset"), TelegramServerError(method, "502")]
    result, request = await run(middleware, method, errors)
    assert result == "ok" and request.calls == 3 and sleeps == [0.5, 1.0]
    edit = EditMessageText(chat_id=1, message_id=1, text="x")
    result, _ = await run(middleware, edit, [TelegramNetworkError(edit, "reset")])
    assert result == "ok"


async def test_a_send_is_not_repeated_after_a_network_error(middleware: RetryMiddleware) -> None:
    method = SendMessage(chat_id=1, text="x")
    with pytest.raises(TelegramNetworkError):
        await run(middleware, method, [TelegramNetworkError(method, "timeout")])

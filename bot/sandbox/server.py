"""A local Telegram Bot API server (aiohttp) for the sandbox, the tests and the benchmarks.

It serves `/bot{token}/{method}` and `/file/bot{token}/{path}` as aiogram's
`TelegramAPIServer.from_base` expects, checks every request against the Bot API reference and
answers like Telegram: 400s with Telegram's descriptions, 403 for people who blocked the bot,
429 with `retry_after` past the configured rates.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from multidict import MultiDictProxy

from bot.sandbox.methods import METHODS
from bot.sandbox.spec import BadRequest, BotApiSpec, UploadedFile, default_spec
from bot.sandbox.world import World

SANDBOX_TOKEN = "7000000001:SANDBOX-minsheng-local-bot-api-token"

# Methods that put something in a chat count against the flood limits.
_FLOOD_COUNTED = {
    "copyMessage",
    "forwardMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "editMessageMedia",
}


def counts_for_flood(method: str) -> bool:
    return (method.startswith("send") and method != "sendChatAction") or method in _FLOOD_COUNTED


class VirtualTime:
    """Seconds that pass only when someone waits: `sleep(s)` moves the time on by s at once.

    Give it to the server (`time=`) and to the bot's retry layer (`api_sleep=`): the flood limits
    then refill exactly as fast as the bot waits, never by how fast the machine happens to be.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class _Bucket:
    def __init__(self, rate: float, burst: float, time_source: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.time = rate, burst, time_source
        self.tokens, self.updated = burst, time_source()

    def wait_needed(self) -> float:
        now = self.time()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class Fault:
    """An injected answer: the next `times` calls of `method` (to `chat_id`, if set) get it."""

    method: str
    code: int
    description: str
    times: int = 1
    retry_after: int | None = None
    chat_id: int | None = None
    delay: float = 0.0  # seconds to wait first (a slow or timed-out Telegram)
    # A code below 400 only delays: the call then succeeds, as when an answer is merely late.


class FakeTelegramServer:
    def __init__(
        self,
        token: str = SANDBOX_TOKEN,
        *,
        world: World | None = None,
        spec: BotApiSpec | None = None,
        global_rate: float = 30.0,
        per_chat_rate: float = 1.0,
        per_chat_burst: float = 20.0,
        record_path: Path | None = None,
        time_source: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.time = time_source  # the flood limits' clock (seconds)
        self.world = world or World()
        self.spec = spec or default_spec()
        self.global_bucket = _Bucket(global_rate, global_rate, time_source)
        self.per_chat_rate, self.per_chat_burst = per_chat_rate, per_chat_burst
        self.chat_buckets: dict[int, _Bucket] = {}
        self.record_path = record_path
        self.faults: list[Fault] = []
        self._chaos: tuple[float, tuple[int, ...], random.Random] | None = None
        self.flood_answers: list[float] = []  # when 429s for exceeding the rates were given
        self.stats: Counter[str] = Counter()  # answers by status code
        self.calls: Counter[str] = Counter()  # requests by method
        self.app = web.Application(client_max_size=60 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner: web.AppRunner | None = None
        self._deliverer: asyncio.Task[None] | None = None
        self.webhook_answers: Counter[int] = Counter()  # HTTP statuses the webhook answered
        self.base_url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._deliverer = asyncio.create_task(self._deliver_webhooks())
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://{host}:{bound}"
        return self.base_url

    async def stop(self) -> None:
        if self._deliverer is not None:
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
            self._deliverer = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def inject(self, fault: Fault) -> None:
        self.faults.append(fault)

    # -- HTTP ------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(BadRequest("Unauthorized", code=401))
        name = request.match_info["method"]
        raw = await _read_params(request)
        self._record(name, raw)
        self.calls[name] += 1
        try:
            method = self.spec.method(name)
            params = self.spec.decode(method, raw)
            await self._apply_fault(method.name, params)
            self._apply_chaos(method.name)
            self._check_flood(method.name, params)
            handler = METHODS.get(method.name)
            if handler is None:
                raise BadRequest(
                    f"Bad Request: method {method.name} is not available in the sandbox", code=501
                )
            result = await handler(self.world, params)
        except BadRequest as error:
            self.stats[str(error.code)] += 1
            return _error(error)
        self.stats["200"] += 1
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        path = request.match_info["path"]
        for stored in self.world.files.values():
            if stored.path == path:
                return web.Response(body=stored.content)
        raise web.HTTPNotFound()

    async def _deliver_webhooks(self) -> None:
        """As Telegram does with a webhook set: POST each update until it is answered 200, up to
        `max_connections` at once (setWebhook's parameter, default 40), one chat's updates in
        order (a chat's next update waits until its previous one was answered)."""
        world = self.world
        in_flight: dict[int, asyncio.Task[None]] = {}  # update_id → its delivery
        busy_chats: set[object] = set()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            while True:
                if not world.webhook_url or not world.pending:
                    await world.wait_for_updates(0.2)
                    if not world.webhook_url or not world.pending:
                        await asyncio.sleep(0.01)
                        continue
                started = False
                for update in list(world.pending):
                    if len(in_flight) >= world.webhook_max_connections:
                        break
                    chat = _update_chat(update)
                    if update["update_id"] in in_flight or chat in busy_chats:
                        continue
                    busy_chats.add(chat)
                    task = asyncio.create_task(self._deliver_one(http, update))
                    in_flight[update["update_id"]] = task
                    task.add_done_callback(
                        lambda _t, uid=update["update_id"], c=chat: (
                            in_flight.pop(uid, None),
                            busy_chats.discard(c),
                        )
                    )
                    started = True
                if not started:
                    await asyncio.sleep(0.005)

    async def _deliver_one(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> None:
        world = self.world
        headers = {"X-Telegram-Bot-Api-Secret-Token": world.webhook_secret} if world.webhook_secret else {}
        try:
            async with http.post(world.webhook_url, json=update, headers=headers) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        self.webhook_answers[status] += 1
        if status == 200:
            if update in world.pending:
                world.pending.remove(update)
        else:
            await asyncio.sleep(0.2)  # Telegram backs off too; it keeps the update

    # -- behaviour -----------------------------------------------------------------------------
    async def _apply_fault(self, method: str, params: dict[str, Any]) -> None:
        for fault in self.faults:
            if fault.method != method or fault.times <= 0:
                continue
            if fault.chat_id is not None and _chat_id(params) != fault.chat_id:
                continue
            fault.times -= 1
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.code < 400:
                return  # only slow: the call goes on and succeeds, late
            raise BadRequest(fault.description, code=fault.code, retry_after=fault.retry_after)

    def chaos(self, share: float, codes: tuple[int, ...] = (429, 502), seed: int = 1) -> None:
        """From now on a random `share` of sending calls fails with one of `codes` (benchmarks)."""
        self._chaos = (share, codes, random.Random(seed))

    def _apply_chaos(self, method: str) -> None:
        if self._chaos is None or not counts_for_flood(method):
            return
        share, codes, rng = self._chaos
        if rng.random() < share:
            code = rng.choice(codes)
            if code == 429:
                raise BadRequest("Too Many Requests: retry after 1", code=429, retry_after=1)
            raise BadRequest("Bad Gateway", code=code)

    def _check_flood(self, method: str, params: dict[str, Any]) -> None:
        if not counts_for_flood(method):
            return
        chat_id = _chat_id(params)
        chat_bucket = None
        if chat_id is not None:
            chat_bucket = self.chat_buckets.get(chat_id)
            if chat_bucket is None:
                chat_bucket = self.chat_buckets[chat_id] = _Bucket(
                    self.per_chat_rate, self.per_chat_burst, self.time
                )
        wait = max(self.global_bucket.wait_needed(), chat_bucket.wait_needed() if chat_bucket else 0.0)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            self.flood_answers.append(self.time())
            raise BadRequest(f"Too Many Requests: retry after {seconds}", code=429, retry_after=seconds)
        self.global_bucket.take()
        if chat_bucket:
            chat_bucket.take()

    def _record(self, name: str, raw: dict[str, Any]) -> None:
        if self.record_path is None:
            return
        params = {key: _recordable(value) for key, value in raw.items()}
        line = json.dumps({"method": name, "params": params}, ensure_ascii=False)
        with self.record_path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def _update_chat(update: dict[str, Any]) -> object:
    """The chat an update belongs to (its person), for keeping one chat's updates in order."""
    for key in ("message", "edited_message", "callback_query"):
        if key in update:
            return update[key]["from"]["id"]
    return update["update_id"]


def _chat_id(params: dict[str, Any]) -> int | None:
    chat_id = params.get("chat_id")
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return chat_id if isinstance(chat_id, int) else None


def _recordable(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return value.filename
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params
    form: MultiDictProxy[Any] = await request.post()
    files: dict[str, UploadedFile] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
        else:
            params[key] = value
    # aiogram sends `photo=attach://<part>` plus a file part of that name, as Telegram allows.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            params[key] = files.pop(value[9:])
    params.update(files)
    return params


def _error(error: BadRequest) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)

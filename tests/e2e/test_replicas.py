"""Two webhook replicas on one PostgreSQL and one Redis, behind a round-robin balancer, with the
local Bot API server delivering to it: a conversation hops between replicas, a weekly digest goes
out once per follower though both schedulers tick, and killing a replica loses no update."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlmodel import col, select

from bot.db.models import Delivery, Suggestion
from bot.runtime.app import build_runtime
from bot.runtime.clock import AdjustableClock
from bot.sandbox.server import SANDBOX_TOKEN, FakeTelegramServer
from bot.services.areas import SAMPLE_AREAS, AreaService, read_area_file
from bot.services.container import Services
from bot.services.roster import RosterService, read_roster
from bot.web.webhook import SECRET_HEADER, build_app
from tests.ci import REDIS_PREFIX
from tests.conftest import REDIS_URL, ROSTER, drop_redis_keys, make_settings, service_missing
from tests.e2e.steps import serve

SECRET = "replica-secret"


class Balancer:
    """Round robin over the replicas that answer; a dead one is skipped, as nginx does."""

    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self.turn = itertools.cycle(range(len(upstreams)))
        self.handled_by: Counter[int] = Counter()
        self.http: aiohttp.ClientSession | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, ""), "Content-Type": "application/json"}
        for _ in range(len(self.upstreams)):
            index = next(self.turn)
            try:
                async with self.http.post(self.upstreams[index], data=body, headers=headers) as answer:  # type: ignore[union-attr]
                    self.handled_by[index] += 1
                    return web.Response(status=answer.status, text=await answer.text())
            except aiohttp.ClientConnectionError:
                continue
        return web.Response(status=502, text="no replica")


@pytest.fixture
async def cluster(database_url: str, data_dir: Path) -> AsyncIterator[dict]:  # type: ignore[type-arg]
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database (the postgresql variant runs this)")
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except (RedisError, OSError) as error:
        service_missing("Redis", error)
    # Keys of this cluster only: other tests and other runs may share the Redis database.
    prefix = f"{REDIS_PREFIX}-{uuid.uuid4().hex[:8]}"
    server = FakeTelegramServer(global_rate=1000, per_chat_rate=100, per_chat_burst=100)
    base = await server.start()
    settings = make_settings(database_url, data_dir, redis_url=REDIS_URL, redis_prefix=prefix)
    clock = AdjustableClock(settings.tz)
    runtimes = [
        await build_runtime(settings, clock=clock, token=SANDBOX_TOKEN, api_base=base) for _ in range(2)
    ]
    served = [await serve(build_app(runtime, SECRET)) for runtime in runtimes]
    balancer = Balancer([f"{url}/webhook" for _runner, url in served])
    balancer.http = aiohttp.ClientSession()
    front = web.Application()
    front.router.add_post("/webhook", balancer.handle)
    front_runner, front_url = await serve(front)
    for runtime in runtimes:
        runtime.sender.start()
    await runtimes[0].bot.set_webhook(f"{front_url}/webhook", secret_token=SECRET)
    async with runtimes[0].session_factory() as session:
        await AreaService(session).import_district(read_area_file(SAMPLE_AREAS))
        await session.flush()
        await RosterService(session, clock).import_rows(read_roster(ROSTER))
        await session.commit()
    shown: list = []  # type: ignore[type-arg]
    server.world.observers.append(shown.append)
    yield {
        "server": server,
        "runtimes": runtimes,
        "served": served,
        "balancer": balancer,
        "shown": shown,
        "clock": clock,
    }
    await front_runner.cleanup()
    await balancer.http.close()
    for runner, _url in served:
        await runner.cleanup()
    for runtime in runtimes:
        await runtime.close()
    await server.stop()
    await redis.aclose()
    await drop_redis_keys(REDIS_URL, prefix)


async def settled(cluster: dict, condition: Callable[[], bool] = lambda: True, seconds: float = 20) -> None:  # type: ignore[type-arg]
    server, runtimes = cluster["server"], cluster["runtimes"]
    for _ in range(int(seconds / 0.02)):
        quiet = not server.world.pending and all(
            r.activity.in_flight == 0 and not r.sender.busy for r in runtimes
        )
        if quiet and condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the cluster did not settle")


async def until(condition: Callable[[], Any], seconds: float) -> None:
    """Poll `condition` (a plain or async callable) every 10 ms until it is true; fail after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        answer = condition()
        if asyncio.iscoroutine(answer):
            answer = await answer
        if answer:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"not true within {seconds} s")
        await asyncio.sleep(0.01)


async def nothing_left_to_send(runtime: Any) -> bool:
    """True when no delivery is pending, claimed or being sent: nothing more can reach Telegram."""
    async with runtime.session_factory() as session:
        left = (
            await session.exec(
                select(Delivery.id).where(col(Delivery.status).in_(("pending", "claimed", "sending")))
            )
        ).all()
    return not left


async def test_a_conversation_hops_between_replicas(cluster: dict) -> None:  # type: ignore[type-arg]
    server, shown = cluster["server"], cluster["shown"]
    world = server.world
    person = world.person(1001, "王阿姨", "zh-hans")
    world.send_text(person, "/start")
    await settled(cluster, lambda: bool(shown))
    world.send_text(person, "小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    await settled(cluster, lambda: "对，就是这类" in str(shown[-1].buttons))
    for label in ("✅ 对，就是这类", "莲花街道", "彩田社区", "跳过，不发照片"):
        world.press(person, label)
        await settled(cluster)
    world.press(person, shown[-1].buttons[0][0])  # the pseudonym
    await settled(cluster, lambda: any(s.text.startswith("✅ 已提交") for s in shown))
    assert min(cluster["balancer"].handled_by.values()) >= 3  # both replicas took turns
    async with cluster["runtimes"][1].session_factory() as session:
        [suggestion] = (await session.exec(select(Suggestion))).all()
    assert suggestion.state == "submitted"


async def test_one_digest_per_follower_though_both_schedulers_tick(cluster: dict) -> None:  # type: ignore[type-arg]
    runtimes, clock, shown = cluster["runtimes"], cluster["clock"], cluster["shown"]
    world = cluster["server"].world
    for person_id in (1001, 1002, 1003):
        world.send_text(world.person(person_id), "/start")
    await settled(cluster, lambda: len(shown) >= 3)
    async with runtimes[0].session_factory() as session:
        services = Services(session, clock, runtimes[0].settings)
        project = await services.projects.create(
            year=2027,
            name="口袋公园",
            category="environment",
            department="区城管局",
            budget=0,
            elected_at=clock.now(),
        )
        users = [await services.users.by_telegram_id(i) for i in (1001, 1002, 1003)]
        for user in users:
            await services.projects.follow(project, user.id, "tap")  # type: ignore[union-attr]
        await session.commit()
        staff = users[0]
        await services.projects.report(project, staff, project.version, _plan(), plan=True)  # type: ignore[arg-type]
        await session.commit()
    now = clock.now()
    # The first Monday 09:00 after now: the plan falls within that digest's week.
    monday = (now + timedelta(days=(7 - now.weekday()) % 7)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    if monday <= now:
        monday += timedelta(days=7)
    await clock.advance_to(monday)  # no listeners: the two schedulers tick at once, below
    await asyncio.gather(*(runtime.scheduler.tick() for runtime in runtimes))
    await asyncio.gather(*(runtime.scheduler.tick() for runtime in runtimes))
    for runtime in runtimes:
        runtime.sender.wake()
    await settled(cluster, lambda: sum("本周项目进展" in s.text for s in shown) >= 3)
    # Not a pause to see whether a fourth arrives: wait until no delivery is left to send, so none can.
    await until(lambda: nothing_left_to_send(runtimes[0]), seconds=20)
    await settled(cluster)
    digests = Counter(s.to for s in shown if "本周项目进展" in s.text)
    assert digests == {1001: 1, 1002: 1, 1003: 1}


async def test_killing_a_replica_loses_no_update(cluster: dict) -> None:  # type: ignore[type-arg]
    world, shown = cluster["server"].world, cluster["shown"]
    people = list(range(1101, 1121))
    for person_id in people[:10]:
        world.send_text(world.person(person_id), "/start")
    # Replica A goes away once it has handled part of the stream (not after a guessed pause).
    await until(lambda: cluster["balancer"].handled_by[0] >= 2, seconds=20)
    runner, _url = cluster["served"][0]
    await runner.cleanup()  # replica A goes away mid-stream
    for person_id in people[10:]:
        world.send_text(world.person(person_id), "/start")
    await settled(cluster, lambda: len({s.to for s in shown}) >= len(people), seconds=30)
    greetings = Counter(s.to for s in shown if s.text.startswith("您好"))
    assert greetings == dict.fromkeys(people, 1)


def _plan():  # type: ignore[no-untyped-def]
    from bot.services.projects import Report

    return Report(text="方案已定。")

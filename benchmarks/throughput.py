"""Updates per second and latency of the whole bot, driven by simulated people.

    python benchmarks/throughput.py [--users 200] [--postgres URL] [--redis URL]

N people at once each do what residents do — /start, write a suggestion (classified, then
confirmed), answer the intake's buttons, /my — through the local Bot API server, against:
  (a) an aiogram echo bot (benchmarks/echo_bot.py): the ceiling of this machine and setup;
  (b) our bot on SQLite, long polling;  (c) on PostgreSQL;  (d) two webhook replicas on
  PostgreSQL + Redis behind a round-robin balancer.
Every bot runs in processes of its own; the load generator and the local server share this one.
Printed: updates/s, p50/p99 latency (an update's creation to the bot's first answer in that chat),
the ratios b/a, c/a and d/c, the CPU seconds of each process and the peak memory of a bot process.
(c) and (d) are skipped without PostgreSQL (and Redis for d).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from benchmarks.broadcast import fresh_postgres  # noqa: E402
from bot.sandbox.server import SANDBOX_TOKEN, FakeTelegramServer  # noqa: E402
from bot.sandbox.world import Shown  # noqa: E402

DEV_SET = ROOT.parent / "shared" / "data" / "suggestions_dev.tsv"
TEXTS = [
    line.split("\t")[0]
    for line in (DEV_SET.read_text(encoding="utf-8").splitlines()[1:] if DEV_SET.exists() else [])
    if line.strip()
] or [
    "小区门口的路灯坏了好几个月，晚上老人出门很不安全",
    "建议在学校门口增设红绿灯和斑马线",
    "社区需要一个老年活动室",
]
FIRST_USER = 500_000
RUN = lambda _base: ["-m", "bot", "run"]  # noqa: E731
SECRET = "bench-secret-token-0123"


@dataclass
class Measure:
    latencies: list[float] = field(default_factory=list)
    updates: int = 0
    timeouts: int = 0
    started: float = 0.0
    finished: float = 0.0
    cpu: list[float] = field(default_factory=list)  # CPU seconds of each bot process in the run
    peaks: list[int] = field(default_factory=list)  # peak resident memory of each, bytes
    driver_cpu: float = 0.0  # CPU seconds of this process: the load generator and local server
    machine_busy: float = 0.0  # share of all cores busy during the run (/proc/stat)

    @property
    def rate(self) -> float:
        return self.updates / (self.finished - self.started)

    @property
    def cpu_per_update(self) -> float:
        """Milliseconds of bot CPU (all its processes) per update, start-up excluded."""
        return sum(self.cpu) / self.updates * 1000

    @property
    def peak(self) -> float:
        return max(self.peaks) / 2**20

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


class Load:
    """People acting one step at a time, each waiting for the bot's answer before the next."""

    def __init__(self, server: FakeTelegramServer) -> None:
        self.server = server
        self.answered: dict[int, asyncio.Event] = {}
        self.buttons: dict[int, list[str]] = {}
        server.world.observers.append(self._observe)

    def _observe(self, shown: Shown) -> None:
        if shown.method != "answerCallbackQuery":
            self.buttons[shown.to] = [label for row in shown.buttons or [] for label in row]
        event = self.answered.get(shown.to)
        if event is not None:
            event.set()

    async def step(self, person_id: int, act, measure: Measure) -> None:  # type: ignore[no-untyped-def]
        event = self.answered.setdefault(person_id, asyncio.Event())
        event.clear()
        began = time.monotonic()
        try:
            act()
        except LookupError:  # the button went away meanwhile: this person stops pressing
            return
        measure.updates += 1
        try:
            await asyncio.wait_for(event.wait(), 30)
            measure.latencies.append(time.monotonic() - began)
        except TimeoutError:
            measure.timeouts += 1

    async def person(self, person_id: int, measure: Measure, rng: random.Random) -> None:
        world = self.server.world
        person = world.person(person_id, f"居民{person_id}", "zh-hans")
        await self.step(person_id, lambda: world.send_text(person, "/start"), measure)
        await self.step(person_id, lambda: world.send_text(person, rng.choice(TEXTS)), measure)
        for _ in range(5):
            labels = self.buttons.get(person_id)
            if not labels:
                break
            label = labels[0]
            await self.step(person_id, lambda label=label: world.press(person, label), measure)
        await self.step(person_id, lambda: world.send_text(person, "/my"), measure)

    async def run(self, users: int, first: int) -> Measure:
        measure = Measure()
        rng = random.Random(first)
        measure.started = time.monotonic()
        await asyncio.gather(*(self.person(first + n, measure, rng) for n in range(users)))
        measure.finished = time.monotonic()
        return measure


def process_figures(pid: int) -> tuple[float, int]:
    """CPU seconds and peak resident memory (bytes) of a running process, from /proc."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        peak = next(
            int(line.split()[1]) * 1024
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("VmHWM")
        )
        return cpu, peak
    return 0.0, 0


async def measured_load(server: FakeTelegramServer, pids: list[int], users: int) -> Measure:
    load = Load(server)
    await load.run(3, FIRST_USER - 10)  # warm up: jieba's dictionary, connections
    before = [process_figures(pid)[0] for pid in pids]
    driver_before, machine_before = _own_cpu(), _machine_ticks()
    measure = await load.run(users, FIRST_USER)
    after = [process_figures(pid) for pid in pids]
    measure.driver_cpu = _own_cpu() - driver_before
    (busy, total), (busy_before, total_before) = _machine_ticks(), machine_before
    measure.machine_busy = (busy - busy_before) / max(1, total - total_before)
    measure.cpu = [cpu - earlier for (cpu, _peak), earlier in zip(after, before, strict=True)]
    measure.peaks = [peak for _cpu, peak in after]
    return measure


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _machine_ticks() -> tuple[int, int]:
    """Busy and total jiffies of all cores, from the first line of /proc/stat."""
    with contextlib.suppress(OSError):
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values) - idle, sum(values)
    return 0, 0


def bot_env(base: str, database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "BOT_TOKEN": SANDBOX_TOKEN,
        "TELEGRAM_API_BASE": base,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "THROTTLE_RATE": "1000",
        "THROTTLE_BURST": "1000",
        "SUGGESTIONS_PER_DAY": "1000",
        "QUIET_START": "00:00",
        "QUIET_END": "00:00",
        "OUTBOX_RATE": "1000",
        "OUTBOX_CHAT_RATE": "100",
        "BOARD_PORT": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


async def seed(env: dict[str, str]) -> None:
    for command in (
        ["areas", "import", "bot/data/areas_futian.toml"],
        ["roster", "import", "bot/data/roster_futian.csv"],
    ):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL
        )
        await process.wait()


async def spawn(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def until(condition, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not start")
        await asyncio.sleep(0.05)


async def measure_polling(command, env: dict[str, str], users: int) -> Measure:  # type: ignore[no-untyped-def]
    """A bot that long-polls the local server: `command(base)` gives its arguments."""
    server = FakeTelegramServer(global_rate=100_000, per_chat_rate=1000, per_chat_burst=1000)
    base = await server.start()
    process = await spawn(*command(base), env={**env, "TELEGRAM_API_BASE": base})
    try:
        await until(lambda: server.calls["getUpdates"] > 0)
        measure = await measured_load(server, [process.pid], users)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await process.wait()
        await server.stop()
    return measure


async def measure_replicas(env: dict[str, str], users: int) -> Measure:
    server = FakeTelegramServer(global_rate=100_000, per_chat_rate=1000, per_chat_burst=1000)
    base = await server.start()
    ports = [_free_port(), _free_port()]
    upstreams = itertools.cycle([f"http://127.0.0.1:{port}/webhook" for port in ports])

    async with aiohttp.ClientSession() as http:

        async def balance(request: web.Request) -> web.Response:
            body = await request.read()
            headers = {
                key: value
                for key, value in request.headers.items()
                if key.lower().startswith(("x-telegram", "content-type"))
            }
            try:
                async with http.post(next(upstreams), data=body, headers=headers) as answer:
                    return web.Response(status=answer.status, text=await answer.text())
            except aiohttp.ClientError:
                return web.Response(status=502, text="replica not reachable")

        front = web.Application()
        front.router.add_post("/webhook", balance)
        runner = web.AppRunner(front, access_log=None)
        await runner.setup()
        front_port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", front_port).start()
        processes = []
        for port in ports:
            replica_env = {
                **env,
                "TELEGRAM_API_BASE": base,
                "BOT_MODE": "webhook",
                "WEBHOOK_URL": f"http://127.0.0.1:{front_port}/webhook",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_HOST": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
            }
            processes.append(await spawn("-m", "bot", "webhook", env=replica_env))
        try:
            await until(lambda: server.calls["setWebhook"] >= 2)
            measure = await measured_load(server, [p.pid for p in processes], users)
        finally:
            for process in processes:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
                await process.wait()
            await runner.cleanup()
            await server.stop()
    return measure


async def _flush(url: str) -> None:
    """The update ids seen by earlier runs (the local server starts again from 1)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    await redis.flushdb()
    await redis.aclose()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def report(label: str, measure: Measure) -> None:
    cpu = " + ".join(f"{seconds:.1f}" for seconds in measure.cpu)
    peak = measure.peak
    print(
        f"  {label:<34}{measure.rate:8.1f} updates/s   p50 {measure.quantile(0.5):6.1f} ms   "
        f"p99 {measure.quantile(0.99):7.1f} ms   timeouts {measure.timeouts}   "
        f"bot CPU {cpu} s = {measure.cpu_per_update:.1f} ms/update   peak {peak:.0f} MB"
    )
    print(
        f"  {'':<34}load generator + local server CPU {measure.driver_cpu:.1f} s   "
        f"machine busy {measure.machine_busy:.0%} of {os.cpu_count()} cores"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()
    print(f"throughput: {args.users} people at once, {len(TEXTS)} sample suggestions")
    results: dict[str, Measure] = {}
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        echo = lambda base: ["benchmarks/echo_bot.py", "--api", base, "--token", SANDBOX_TOKEN]  # noqa: E731
        results["a"] = await measure_polling(echo, dict(os.environ), args.users)
        report("(a) aiogram echo bot", results["a"])
        sqlite_env = bot_env("", f"sqlite+aiosqlite:///{data / 'bench.db'}", data)
        await seed(sqlite_env)
        results["b"] = await measure_polling(RUN, sqlite_env, args.users)
        report("(b) our bot, SQLite", results["b"])
        url = await fresh_postgres(args.postgres)
        if url is None:
            print("  (c), (d): skipped (no PostgreSQL)")
        else:
            pg_env = bot_env("", url, data)
            await seed(pg_env)
            results["c"] = await measure_polling(RUN, pg_env, args.users)
            report("(c) our bot, PostgreSQL", results["c"])
            url = await fresh_postgres(args.postgres)
            replica_env = bot_env("", url or "", data, REDIS_URL=args.redis)
            await seed(replica_env)
            await _flush(args.redis)
            try:
                results["d"] = await measure_replicas(replica_env, args.users)
                report("(d) two webhook replicas, PG+Redis", results["d"])
            except TimeoutError as error:
                print(f"  (d): skipped ({error})")
    a = results["a"].rate
    ratios = [f"b/a = {results['b'].rate / a:.2f} (goal ≥ 0.5)"]
    if "c" in results:
        ratios.append(f"c/a = {results['c'].rate / a:.2f} (goal ≥ 0.4)")
    if "d" in results and "c" in results:
        ratios.append(f"d/c = {results['d'].rate / results['c'].rate:.2f}")
    print("  " + "   ".join(ratios))
    echo = results["a"]
    ours = [key for key in "bcd" if key in results]
    cpu = "   ".join(f"{key} {results[key].cpu_per_update / echo.cpu_per_update:.1f}×" for key in ours)
    print(f"  bot CPU per update against the echo bot's: {cpu}")
    peak = max(results[key].peak for key in ours)
    print(
        f"  peak memory of one bot process: {peak:.0f} MB = {peak / echo.peak:.2f}× the echo bot's "
        f"{echo.peak:.0f} MB (goal < 200 MB)"
    )


if __name__ == "__main__":
    asyncio.run(main())

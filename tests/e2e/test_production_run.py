"""`python -m bot run` with a token: long polling against a Bot API server, graceful shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox.server import SANDBOX_TOKEN, FakeTelegramServer


async def test_polling_with_a_token_and_a_graceful_stop(tmp_path: Path) -> None:
    server = FakeTelegramServer()
    base = await server.start()
    env = {
        "PATH": os.environ.get("PATH", ""),
        # This checkout's code, whichever one the virtual environment installed.
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "BOT_TOKEN": SANDBOX_TOKEN,
        "TELEGRAM_API_BASE": base,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "ADMIN_IDS": "9001",
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    shown = []
    server.world.observers.append(shown.append)
    try:
        for _ in range(600):  # start-up: migrations, catalogues, the classifier
            if server.calls["getUpdates"]:
                break
            await asyncio.sleep(0.05)
        assert server.calls["setMyCommands"] >= 3  # the command menu per language
        person = server.world.person(9001, "办公室", "zh-hans")
        server.world.send_text(person, "/start")
        for _ in range(200):
            if shown:
                break
            await asyncio.sleep(0.05)
        assert shown and "您是人大常委会工作人员（管理员）。" in shown[0].text
        process.send_signal(signal.SIGTERM)
        server.world.wake()  # end the long poll now rather than at its timeout
        code = await asyncio.wait_for(process.wait(), 30)
        errors = (await process.stderr.read()).decode()  # type: ignore[union-attr]
        assert code == 0, errors
        # No PSEUDONYM_SECRET was given: a private one was created in DATA_DIR, and the log says so.
        assert (tmp_path / "data" / "pseudonym_secret").stat().st_size > 32
        assert "PSEUDONYM_SECRET was not set: created a random one" in errors
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.stop()

"""A first run without surprises (issue 15 faults 8, 9 and 10): a copied .env.example opens the
sandbox, configuration errors are one line, no network is one line a try with a growing wait,
one database for the CLI and the sandbox with --db everywhere, a script line holding U+2028, and
a persona typing a number while buttons are shown."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.runtime.app import reach_telegram
from bot.sandbox.console import Console
from bot.sandbox.script import read_script
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID, make_settings
from tests.e2e.steps import prepare_round, run_cli


class _Stop(Exception):
    pass


def test_a_copied_env_example_opens_the_sandbox(tmp_path: Path) -> None:
    shutil.copy(PROJECT_ROOT / ".env.example", tmp_path / ".env")  # BOT_TOKEN= and friends, empty
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "BOARD_PORT": "0"},
        input="/quit\n",
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "sandbox (a local Telegram" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("POINTS_TABLE", "{bad", "configuration error: POINTS_TABLE: not valid JSON"),
        ("POINTS_TABLE", '{"nope": 3}', "configuration error: POINTS_TABLE: Value error, unknown action"),
        ("EVALUATION_POINTS", "[1,", "configuration error: EVALUATION_POINTS: not valid JSON"),
        ("TIMEZONE", "Nowhere/Town", "configuration error: TIMEZONE: Value error, unknown time zone"),
    ],
)
def test_every_configuration_error_is_one_line(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    for command in (["tally", "x.json"], ["export", "--year", "2027", "--out", "out"]):
        result = run_cli(*command, cwd=tmp_path, env={variable: value})
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(message), result.stderr


async def test_no_network_is_one_line_a_try_and_a_growing_wait(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.runtime.telegram import create_bot

    settings = make_settings("sqlite+aiosqlite:///:memory:", data_dir, api_max_retries=0)
    bot = create_bot("123:abc", "http://127.0.0.1:9", 0)  # nothing listens on port 9
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 8:
            raise _Stop  # enough: the operator would press Ctrl-C

    with caplog.at_level(logging.ERROR, logger="bot.runtime.app"), pytest.raises(_Stop):
        await reach_telegram(bot, settings, sleep=sleep, most=30)
    await bot.session.close()
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]
    lines = [record.getMessage() for record in caplog.records if record.name == "bot.runtime.app"]
    assert len(lines) == 8 and all("\n" not in line for line in lines)
    assert lines[0].startswith("cannot reach Telegram at") and not any(r.exc_info for r in caplog.records)


def test_one_database_for_the_cli_and_the_sandbox_and_db_everywhere(tmp_path: Path) -> None:
    script = tmp_path / "hello.jsonl"
    script.write_text('{"from": 1001, "text": "/start"}\n', encoding="utf-8")
    env = {"BOARD_PORT": "0"}
    played = run_cli(
        "sandbox", "--script", str(script), "--transcript", str(tmp_path / "t.jsonl"), cwd=tmp_path, env=env
    )
    assert played.returncode == 0, played.stderr
    assert (tmp_path / "data" / "minsheng.db").exists() and not (tmp_path / "data" / "sandbox.db").exists()
    # The sandbox seeded the sample roster into the CLI's database: importing it again changes nothing.
    roster = str(PROJECT_ROOT / "bot/data/roster_futian.csv")
    again = run_cli("roster", "import", roster, cwd=tmp_path, env=env)
    assert "0 added, 0 updated, 5 unchanged" in again.stdout, again.stderr
    # --db before or after the command, on any command.
    other = f"sqlite:///{tmp_path / 'other.db'}"
    areas = run_cli(
        "--db", other, "areas", "import", str(PROJECT_ROOT / "bot/data/areas_futian.toml"), cwd=tmp_path
    )
    assert areas.returncode == 0 and "10 streets" in areas.stdout
    fresh = run_cli("roster", "import", roster, "--db", other, cwd=tmp_path)
    assert "5 added" in fresh.stdout, fresh.stderr
    assert run_cli("db", "current", "--db", other, cwd=tmp_path).returncode == 0


def test_lines_are_split_at_newlines_only(tmp_path: Path) -> None:
    text = "小区路灯坏了\u2028晚上很黑"  # JSON may carry U+2028 unescaped
    script = tmp_path / "s.jsonl"
    script.write_text(
        json.dumps({"from": 1001, "text": text}, ensure_ascii=False)
        + "\r\n\n"
        + '{"from": 1001, "text": "/my"}\n',
        encoding="utf-8",
    )
    steps = read_script(script)
    assert [step.line["text"] for step in steps] == [text, "/my"]
    classified = subprocess.run(
        [sys.executable, "-m", "bot", "classify"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "LOG_LEVEL": "WARNING"},
        input=f"{text}\n公园的健身器材坏了\n",
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert classified.returncode == 0, classified.stderr
    assert len(classified.stdout.strip().split("\n")) == 2


async def test_the_console_types_a_number_while_buttons_are_shown(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    await prepare_round(sandbox)
    console = Console(sandbox, ADMIN_ID)
    sandbox.server.world.observers.append(console.render)
    await console.handle("/rounds")
    labels = console.buttons[ADMIN_ID]
    await console.handle(f"#{labels.index('➕ 新建票决') + 1}")
    assert "可选 6–7" in sandbox.shown[-1].text
    assert console.buttons[ADMIN_ID] == ["➕ 新建票决"]  # buttons still on screen (before: "no button 7")…
    await console.handle("7")  # …and a bare number is the seats, typed
    assert sandbox.shown[-1].buttons == [["赞成制（只投赞成）"], ["赞成 / 反对 / 弃权"]]
    await console.handle("/press 1")
    assert "no button" not in capsys.readouterr().out
    await console.handle("#99")
    assert "no button 99" in capsys.readouterr().out

"""The command line as a person runs it: `python -m bot …` in a subprocess, exit codes and output,
with good and bad input (classify, export, outbox, board, webhook)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from openpyxl import load_workbook

from bot.config import PROJECT_ROOT
from tests.e2e.steps import run_cli


def database(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'office.db'}", "DATA_DIR": str(tmp_path / "data")}


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert all(word in lines[-1] for word in words), result.stderr
    assert "Traceback" not in result.stderr


def test_classify_reads_lines_and_answers_one_json_object_each(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "classify"],
        input="小区门口的路灯坏了好几个月\n\n学校门口早上堵车很严重\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": str(PROJECT_ROOT), "LOG_LEVEL": "WARNING", **database(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["category"] for a in answers if a.get("category")][-1] == "transport"
    assert answers[0]["category"] == "services" and "路灯" in answers[0]["keywords"]
    assert all(0 <= a["confidence"] <= 1 for a in answers if "confidence" in a)


def test_classify_refuses_a_missing_evaluation_file(tmp_path: Path) -> None:
    result = run_cli(
        "classify", "--eval", str(tmp_path / "nowhere.tsv"), cwd=tmp_path, env=database(tmp_path)
    )
    assert result.returncode != 0 and "nowhere.tsv" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_writes_the_workbook_and_csvs(tmp_path: Path) -> None:
    result = run_cli(
        "export", "--year", "2026", "--out", str(tmp_path / "out"), cwd=tmp_path, env=database(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "建议\t0 rows"
    assert result.stdout.splitlines()[-1] == f"wrote 7 files to {tmp_path / 'out'}"
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "minsheng-2026.xlsx" in written and len(written) == 7
    sheets = load_workbook(tmp_path / "out" / "minsheng-2026.xlsx").sheetnames
    assert sheets[:2] == ["建议", "履职积分"]
    english = run_cli(
        "export",
        "--year",
        "2026",
        "--out",
        str(tmp_path / "en"),
        "--lang",
        "en",
        cwd=tmp_path,
        env=database(tmp_path),
    )
    assert english.returncode == 0 and english.stdout.splitlines()[0] == "Suggestions\t0 rows", english.stdout


def test_export_refuses_bad_arguments(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    one_line_error(
        run_cli(
            "export",
            "--year",
            "2026",
            "--out",
            str(tmp_path / "a-file"),
            cwd=tmp_path,
            env=database(tmp_path),
        ),
        "error:",
        "a-file",
    )
    one_line_error(run_cli("export", "--out", "x", cwd=tmp_path, env=database(tmp_path)), "--year")
    one_line_error(
        run_cli("export", "--year", "next", "--out", "x", cwd=tmp_path, env=database(tmp_path)), "--year"
    )
    one_line_error(
        run_cli(
            "export", "--year", "2026", "--out", "x", "--lang", "fr", cwd=tmp_path, env=database(tmp_path)
        ),
        "--lang",
    )


def test_outbox_stats_requeue_and_a_wrong_action(tmp_path: Path) -> None:
    stats = run_cli("outbox", "stats", cwd=tmp_path, env=database(tmp_path))
    assert stats.returncode == 0, stats.stderr
    counts = dict(line.split("\t") for line in stats.stdout.splitlines())
    assert counts == dict.fromkeys(
        ("pending", "claimed", "sending", "sent", "blocked", "failed", "unknown"), "0"
    )
    requeued = run_cli("outbox", "requeue-unknown", cwd=tmp_path, env=database(tmp_path))
    assert requeued.returncode == 0 and requeued.stdout.strip() == "requeued 0 deliveries", requeued
    one_line_error(
        run_cli("outbox", "empty", cwd=tmp_path, env=database(tmp_path)), "invalid choice: 'empty'"
    )


def test_webhook_refuses_to_start_without_its_url_and_secret(tmp_path: Path) -> None:
    one_line_error(
        run_cli("webhook", cwd=tmp_path, env={**database(tmp_path), "BOT_TOKEN": "1:sandbox"}),
        "configuration error",
        "WEBHOOK_SECRET",
    )
    one_line_error(
        run_cli(
            "webhook",
            cwd=tmp_path,
            env={
                **database(tmp_path),
                "BOT_TOKEN": "1:sandbox",
                "WEBHOOK_URL": "https://x.example/hook",
                "WEBHOOK_SECRET": "",
            },
        ),
        "configuration error",
        "WEBHOOK_SECRET",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_board_serves_until_interrupted(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PYTHONPATH": str(PROJECT_ROOT),
        "LOG_LEVEL": "WARNING",
        "BOARD_HOST": "127.0.0.1",
        "BOARD_PORT": str(port),
        **database(tmp_path),
    }
    board = subprocess.Popen(
        [sys.executable, "-m", "bot", "board"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        page = None
        while page is None:
            assert board.poll() is None, board.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    page = (answer.status, answer.read().decode("utf-8"))
            except OSError:
                assert time.monotonic() < deadline, "the board did not answer within 60 s"
                time.sleep(0.2)
        assert page[0] == 200 and "<html" in page[1].lower()
    finally:
        board.send_signal(signal.SIGINT)
        _out, err = board.communicate(timeout=30)
    assert board.returncode in (0, 130), err
    assert "Traceback" not in err
    # A port already taken: a clear failure, not a hang.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = run_cli("board", cwd=tmp_path, env={**env, "BOARD_PORT": str(taken.getsockname()[1])})
    assert busy.returncode != 0

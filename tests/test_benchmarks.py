"""The benchmarks at a small size, so CI prints their figures: the broadcast's correctness goals
(nothing lost, nothing doubled) are checked; speed figures are printed, not asserted.

Marked `benchmark`: the suite leaves them out (pyproject's addopts); CI runs them in a step of
their own, `python -m pytest -m benchmark -s tests/test_benchmarks.py`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.benchmark


def run_benchmark(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    with capsys.disabled():
        print("\n" + done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return done.stdout


def test_broadcast_benchmark_small(capsys: pytest.CaptureFixture[str]) -> None:
    run_benchmark(capsys, "benchmarks/broadcast.py", "--recipients", "300", "--rate", "200")


def test_throughput_benchmark_small(capsys: pytest.CaptureFixture[str]) -> None:
    printed = run_benchmark(capsys, "benchmarks/throughput.py", "--users", "10")
    # Every run answered everyone, and the ratios and memory figures were printed.
    assert printed.count("timeouts 0") == 4, printed
    assert "b/a = " in printed and "c/a = " in printed and "d/c = " in printed
    assert "peak memory of one bot process" in printed

"""The README's examples run as written (issue 15 fault 9): every ```sh block but the two install
commands is run, in order, in a fresh copy of the project (its own data/ folder, the venv linked
as .venv), and each must exit 0."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
ANYWHERE = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".ruff_cache", "*.db")
AT_THE_TOP = {".git", ".venv", "data", "tests", "out.jsonl", ".env"}  # a fresh clone has no data/ or .env


def not_copied(folder: str, names: list[str]) -> set[str]:
    ignored = set(ANYWHERE(folder, names))
    if Path(folder) == PROJECT_ROOT:
        ignored |= AT_THE_TOP & set(names)
    return ignored


def readme_blocks() -> list[str]:
    blocks = BLOCK.findall((PROJECT_ROOT / "README.md").read_text(encoding="utf-8"))
    install = [block for block in blocks if "python3 -m venv" in block]
    assert len(install) == 2, "the two install commands are the ones left out"
    return [block for block in blocks if block not in install]


def test_the_readme_has_runnable_examples() -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 5
    for block in blocks:
        for line in block.strip().splitlines():
            # The venv's Python, and only paths inside the project.
            assert not re.search(r"(^|\s)python(3)? ", line), line
            assert not re.search(r"(^|\s)(/|\.\./|~)", line.split(" #")[0]), line


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("readme") / "project"
    shutil.copytree(PROJECT_ROOT, copy, ignore=not_copied, symlinks=True)
    (copy / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return copy


@pytest.mark.parametrize("number", range(1, len(readme_blocks()) + 1))
def test_every_readme_example_runs(project_copy: Path, number: int) -> None:
    """Each block on its own (every sample has its own database), in the README's order."""
    block = readme_blocks()[number - 1]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(project_copy),
        "LANG": "C.UTF-8",
        "LOG_LEVEL": "WARNING",
    }
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "-e", "-c", block], cwd=project_copy, env=env, capture_output=True, text=True, timeout=220
    )
    took = time.monotonic() - started
    assert result.returncode == 0, (
        f"README block {number} exited {result.returncode} after {took:.0f}s:\n{block}\n"
        f"stdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}"
    )
    print(f"README block {number}: {took:.1f}s")

"""constraints.txt pins every package the README's install and test commands install."""

from __future__ import annotations

import re
from pathlib import Path

from tools.constraints import closure, read

ROOT = Path(__file__).resolve().parent.parent


def test_every_installed_dependency_is_pinned() -> None:
    pinned = read()
    missing = sorted(set(closure()) - set(pinned))
    assert not missing, (
        f"not in constraints.txt: {missing}; run tools/constraints.py (in a commit of its own)"
    )
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version) for version in pinned.values()), pinned


def test_the_install_commands_use_the_constraints_and_ci_runs_the_readme_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv .venv")]
    assert len(commands) == 2 and all(
        "pip install -c constraints.txt" in c or "-c constraints.txt" in c for c in commands
    )
    test_command = commands[1]
    assert "-rs" in test_command and "--durations=" in test_command and "--cov" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()

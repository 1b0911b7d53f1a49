"""Sandbox scripts (issue 13, fault 12): files only from the script's own folder, and a malformed
number ends the run with exit 2 naming the step, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.steps import run_cli


@pytest.mark.parametrize(
    ("step", "says"),
    [
        ('{"from": 1001, "photo": "/etc/passwd"}', "step 2: name a file inside the script's folder"),
        (
            '{"from": 1001, "photo": "../outside.jpg"}',
            "step 2: '../outside.jpg' is outside the script's folder",
        ),
        ('{"from": 1001, "document": "sub/../../outside.jpg"}', "is outside the script's folder"),
        ('{"import": "projects", "file": "/etc/passwd"}', "step 2: name a file inside the script's folder"),
        ('{"from": "12a", "text": "hi"}', "step 2: from must be a Telegram id"),
        ('{"from": 1e3, "text": "hi"}', "step 2: from must be a Telegram id"),
        ('{"from": true, "text": "hi"}', "step 2: from must be a Telegram id"),
        ('{"block": "x"}', "step 2: block must be a Telegram id"),
        ('{"from": 99999999999999999999999, "text": "hi"}', "step 2: from must be a Telegram id"),
    ],
)
def test_a_script_cannot_reach_outside_its_folder_or_crash_on_a_number(
    tmp_path: Path, step: str, says: str
) -> None:
    (tmp_path / "outside.jpg").write_bytes(b"\xff\xd8secret")
    folder = tmp_path / "scripts"
    (folder / "sub").mkdir(parents=True)
    script = folder / "script.jsonl"
    script.write_text('{"from": 1001, "text": "/start"}\n' + step + "\n", encoding="utf-8")
    result = run_cli(
        "sandbox", "--script", str(script), "--db", f"sqlite:///{tmp_path / 's.db'}", cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr

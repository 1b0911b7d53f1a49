"""Deployment files: docker-compose validates offline, the Dockerfile runs our own command."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bot.config import PROJECT_ROOT
from tests.conftest import IN_CI


def test_compose_file_is_valid() -> None:
    tool = shutil.which("docker-compose")
    if tool is None:
        if IN_CI:
            pytest.fail("docker-compose is missing; .ci/run installs Debian's docker-compose")
        pytest.skip("docker-compose (Debian's package) is not installed; CI installs it")
    result = subprocess.run(
        [
            tool,
            "-f",
            str(PROJECT_ROOT / "docker-compose.yml"),
            "--profile",
            "single",
            "--profile",
            "replicas",
            "config",
            "--services",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "BOT_TOKEN": "123:abc", "PSEUDONYM_SECRET": "s"},
    )
    assert result.returncode == 0, result.stderr
    # One polling bot, or two webhook replicas behind nginx; PostgreSQL and Redis for both.
    assert set(result.stdout.split()) >= {"bot", "bot-a", "bot-b", "nginx", "postgres", "redis"}


def test_dockerfile_installs_the_project_and_runs_the_bot() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install" in dockerfile and 'CMD ["python", "-m", "bot"' in dockerfile

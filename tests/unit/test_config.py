"""Settings: defaults, parsing, and one clear line for a bad value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import ConfigError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "ADMIN_IDS", "TIMEZONE", "DEFAULT_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.bot_token is None
    assert settings.database_url == "sqlite+aiosqlite:///data/minsheng.db"
    assert settings.timezone == "Asia/Shanghai" and settings.default_locale == "zh_CN"
    assert settings.admin_ids == frozenset()


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1, 2;3")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    settings = load_settings(_env_file=None)
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE"),
        ("DEFAULT_LOCALE", "fr", "DEFAULT_LOCALE"),
        ("ADMIN_IDS", "one,two", "ADMIN_IDS"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("THROTTLE_RATE", "-1", "THROTTLE_RATE"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"^configuration error: {named}: "):
        load_settings(_env_file=None)


def test_start_up_with_a_bad_value_prints_one_line_and_no_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "current"],
        env={"TIMEZONE": "Nowhere/Town", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: TIMEZONE: Value error, unknown time zone 'Nowhere/Town'"
    ]

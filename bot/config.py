"""One Settings object, read from the environment and `.env`."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LOCALES = ("zh_CN", "en")
# The sandbox's pseudonym key; production runs never use it (bot/keys.py).
DEFAULT_PSEUDONYM_SECRET = "minsheng-default-pseudonym-salt"


class Settings(BaseSettings):
    # env_ignore_empty: `BOT_TOKEN=` (as .env.example has it) means unset, not an empty token.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///data/minsheng.db"
    redis_url: str | None = None
    # The prefix of every key the bot writes in Redis (<prefix>:fsm:… conversation state,
    # <prefix>:update:… updates already handled): bots or test runs sharing one database keep apart.
    redis_prefix: str = Field(default="minsheng", min_length=1)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_CN"
    telegram_api_base: str | None = None
    data_dir: Path = Path("data")
    locales_dir: Path = PROJECT_ROOT / "locales"
    # Key of residents' pseudonyms: changing it renames every resident, so set it once. Unset, a
    # production run creates one in DATA_DIR (bot/keys.py); only the sandbox uses the built-in one.
    pseudonym_secret: SecretStr = SecretStr(DEFAULT_PSEUDONYM_SECRET)
    # Throttling: at most `throttle_burst` messages per user, refilled at `throttle_rate` per second.
    throttle_rate: float = Field(default=1.0, gt=0)
    throttle_burst: int = Field(default=5, ge=1)
    # Retries of a Bot API call answered 429 (or a network error on a safe-to-repeat method).
    api_max_retries: int = Field(default=5, ge=0)
    log_level: str = "INFO"
    # 履职积分 per triage action, overriding core/points.py's defaults, e.g. {"to_district": 5}.
    points_table: dict[str, int] = Field(default_factory=dict)
    # Webhook mode (python -m bot webhook, or BOT_MODE=webhook): Telegram POSTs to WEBHOOK_URL,
    # which a proxy forwards to WEBHOOK_HOST:WEBHOOK_PORT/webhook; the secret is checked on each call.
    bot_mode: str = Field(default="polling", pattern="^(polling|webhook)$")
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # GET /metrics answers only a request with `Authorization: Bearer METRICS_TOKEN` (unset: off).
    metrics_token: SecretStr | None = None
    # The public board (公示): served with the webhook, or on BOARD_PORT in polling mode (0 = off);
    # BOARD_URL is its public address, linked from project cards.
    board_host: str = "0.0.0.0"
    board_port: int = Field(default=8090, ge=0, le=65535)
    board_url: str | None = None
    # Selection rounds: the least share of 特定征集 items among the candidates (0 = no minimum).
    special_min_share: float = Field(default=0.0, ge=0.0, le=1.0)
    # How often the scheduler looks for due work (round openings, closings, reminders).
    tick_seconds: int = Field(default=30, ge=1)
    # How long an invitation link for a deputy or staff member stays valid.
    invite_days: int = Field(default=7, ge=1, le=90)
    # Residents' suggestions: a daily limit per person, and the longest text accepted.
    suggestions_per_day: int = Field(default=10, ge=1)
    suggestion_max_chars: int = Field(default=2000, ge=100, le=4000)
    # The sandbox's local Telegram: append every request to this file (JSON lines), and its
    # flood limits. Telegram allows about 30 messages/s overall; per chat it asks for about one
    # a second but takes bursts. The per-chat default is lenient so scripts (which type at
    # machine speed) run quickly; set SANDBOX_CHAT_RATE=1 to feel Telegram's guideline.
    sandbox_record: Path | None = None
    sandbox_rate: float = Field(default=30.0, gt=0)
    sandbox_chat_rate: float = Field(default=10.0, gt=0)
    sandbox_chat_burst: int = Field(default=30, ge=1)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("points_table")
    @classmethod
    def _known_actions(cls, value: dict[str, int]) -> dict[str, int]:
        from core.points import points_table

        points_table(value)  # raises on an unknown action
        return value

    # The outbox sender: Telegram takes about 30 messages/s from a bot and about one a second in
    # one chat (with short bursts). `outbox_batch` rows are claimed at a time: after a crash at most
    # that many are "unknown" (maybe sent, maybe not). Read timeouts also leave a row "unknown".
    outbox_rate: float = Field(default=25.0, gt=0)
    outbox_chat_rate: float = Field(default=1.0, gt=0)
    outbox_chat_burst: int = Field(default=3, ge=1)
    outbox_batch: int = Field(default=16, ge=1, le=500)
    outbox_lease_seconds: int = Field(default=120, ge=5)
    outbox_max_attempts: int = Field(default=5, ge=1)
    outbox_send_timeout: float = Field(default=30.0, gt=0)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    # Non-urgent messages wait out the quiet hours (local time); equal times switch them off.
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    # The weekly digest for followers: ISO weekday (1 = Monday) and local time.
    digest_weekday: int = Field(default=1, ge=1, le=7)
    digest_time: time = time(9, 0)
    # Projects: the implementation plan is due this many days after the vote; progress reports
    # every `report_every_days`; reminders this many days before a deadline.
    plan_days: int = Field(default=30, ge=1)
    report_every_days: int = Field(default=30, ge=1)
    remind_days_before: int = Field(default=3, ge=0)
    # Evaluation rounds: bonus tiers (以上, inclusive), the penalty line (以下, inclusive), and the
    # departments' points per consequence, e.g. {"complete": 2, "0.95": 3, "0.9": 2, "0.85": 1}.
    evaluation_bonus_tiers: list[float] = Field(default_factory=lambda: [0.95, 0.90, 0.85])
    evaluation_penalty_at: float = Field(default=0.60, ge=0, lt=1)
    evaluation_points: dict[str, int] = Field(default_factory=dict)

    @field_validator("evaluation_points")
    @classmethod
    def _known_points(cls, value: dict[str, int], info) -> dict[str, int]:  # type: ignore[no-untyped-def]
        from core.consequences import points_table

        tiers = info.data.get("evaluation_bonus_tiers") or [0.95, 0.90, 0.85]
        penalty = info.data.get("evaluation_penalty_at", 0.60)
        return points_table(value, thresholds_from(tiers, penalty))

    @field_validator("evaluation_bonus_tiers")
    @classmethod
    def _valid_tiers(cls, value: list[float]) -> list[float]:
        thresholds_from(value, 0.0)
        return value

    @property
    def thresholds(self):  # type: ignore[no-untyped-def]
        return thresholds_from(self.evaluation_bonus_tiers, self.evaluation_penalty_at)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Accept the usual synchronous spellings and pick the async driver for them.
        for plain, async_ in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if value.startswith(plain):
                return async_ + value[len(plain) :]
        if not value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("use postgresql+asyncpg://… or sqlite+aiosqlite:///…")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def thresholds_from(tiers: list[float], penalty: float):  # type: ignore[no-untyped-def]
    """core.scoring's thresholds; ValueError (a configuration error) when they make no sense."""
    from core.scoring import Thresholds

    return Thresholds.parse({"bonus_tiers": list(tiers), "penalty_at_or_below": penalty})


class ConfigError(Exception):
    """A setting is wrong; the message is one line naming the variable."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"configuration error: {variable}: {first['msg']}") from None
    except SettingsError as error:
        # A value that should be JSON (POINTS_TABLE, EVALUATION_POINTS, …) and is not: pydantic-
        # settings fails before validation, naming the field in its message.
        field_name = str(error).split('"')[1] if '"' in str(error) else "settings"
        cause = f": {error.__cause__}" if error.__cause__ else ""
        message = f"configuration error: {field_name.upper()}: not valid JSON{cause}"
        raise ConfigError(" ".join(message.split())) from None

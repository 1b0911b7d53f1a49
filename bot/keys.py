"""The secrets a production run needs, checked before anything starts.

- `PSEUDONYM_SECRET` keys residents' pseudonyms (居民#4821, core/pseudonym.py, DESIGN.md "Roles"):
  with a key anyone knows, anyone holding a list of Telegram ids can tell who 居民#4821 is. A
  production run (polling or webhook) never uses a public key: an unset or empty one is created
  at random in `DATA_DIR/pseudonym_secret` on the first run (and read back on the next ones), a
  well-known placeholder is refused. The sandbox keeps the built-in key: its people are made up.
- `WEBHOOK_SECRET` is what Telegram sends with every webhook call: without it anyone who can
  reach the port can post updates "from" an admin. Webhook mode refuses to start without one.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

from pydantic import SecretStr

from bot.config import DEFAULT_PSEUDONYM_SECRET, ConfigError, Settings

log = logging.getLogger(__name__)
SECRET_FILE = "pseudonym_secret"
# Keys that are public: the built-in one and .env.example's placeholder.
PUBLIC_PSEUDONYM_SECRETS = frozenset({DEFAULT_PSEUDONYM_SECRET, "change-me"})
# Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,256}")


def ensure_pseudonym_secret(settings: Settings) -> Path | None:
    """Give a production run a private pseudonym key; returns the file it was created in, if any.

    Raises ConfigError (one line) for a public placeholder key.
    """
    given = settings.pseudonym_secret.get_secret_value() if settings.pseudonym_secret else ""
    if given and "pseudonym_secret" in settings.model_fields_set:
        if given in PUBLIC_PSEUDONYM_SECRETS:
            raise ConfigError(
                "configuration error: PSEUDONYM_SECRET is a public placeholder; set a random value "
                "(or leave it unset to have one created in DATA_DIR)"
            )
        return None
    path = settings.data_dir / SECRET_FILE
    created = None
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if not key:
            raise ConfigError(f"configuration error: PSEUDONYM_SECRET: {path} is empty")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(key + "\n")
        created = path
        log.warning(
            "PSEUDONYM_SECRET was not set: created a random one in %s. Keep this file (changing the "
            "key renames every new resident); several replicas must share one PSEUDONYM_SECRET.",
            path,
        )
    settings.pseudonym_secret = SecretStr(key)
    return created


def webhook_secret(settings: Settings) -> str:
    """The webhook's secret token; ConfigError (one line) when it is missing, empty or malformed."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not settings.webhook_url or not secret:
        raise ConfigError("configuration error: WEBHOOK_URL and WEBHOOK_SECRET are needed in webhook mode")
    if not WEBHOOK_SECRET_SHAPE.fullmatch(secret):
        raise ConfigError(
            "configuration error: WEBHOOK_SECRET: 16-256 characters of A-Z, a-z, 0-9, _ and - "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return secret

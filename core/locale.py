"""Choosing the language a person reads."""

from __future__ import annotations

from collections.abc import Iterable


def negotiate_locale(language_code: str | None, available: Iterable[str], default: str) -> str:
    """Map Telegram's language_code ("zh-hans", "en-US", "zh") to one of our catalogues.

    Any Chinese variant reads the zh_CN catalogue (it is the only Chinese one); otherwise the
    language part is matched; anything unknown reads the office's default language.
    """
    available = list(available)
    if not language_code:
        return default
    code = language_code.replace("_", "-").lower()
    for locale in available:
        if locale.replace("_", "-").lower() == code:
            return locale
    language = code.split("-", 1)[0]
    for locale in available:
        if locale.split("_", 1)[0].lower() == language:
            return locale
    return default

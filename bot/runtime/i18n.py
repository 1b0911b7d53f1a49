"""gettext catalogues: compiled from locales/*.po at start-up, read through aiogram's I18n."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LOCALES
from bot.db.models import User
from core.locale import negotiate_locale

DOMAIN = "messages"


def compile_catalogues(source: Path, target: Path) -> Path:
    """Write a .mo for each .po that is newer than it; returns the folder I18n reads."""
    for po_path in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        locale = po_path.parent.parent.name
        mo_path = target / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = mo_path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            write_mo(handle, catalog)
        temporary.replace(mo_path)  # atomic, so a second process never reads half a file
    return target


def build_i18n(locales_dir: Path, data_dir: Path, default_locale: str) -> I18n:
    compiled = compile_catalogues(locales_dir, data_dir / "locales")
    return I18n(path=compiled, default_locale=default_locale, domain=DOMAIN)


def user_locale(user: User | None, default: str) -> str:
    """The stored choice, else Telegram's language, else the office's default."""
    if user is None:
        return default
    return user.locale or negotiate_locale(user.telegram_language, SUPPORTED_LOCALES, default)


class UserLocaleMiddleware(I18nMiddleware):
    """Reads the language of the user that UserMiddleware loaded."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return data.get("locale") or self.i18n.default_locale

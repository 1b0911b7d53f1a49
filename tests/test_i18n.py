"""Every message in the code has a translation in both catalogues, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import PROJECT_ROOT, SUPPORTED_LOCALES
from bot.runtime.i18n import build_i18n

KEYWORDS = {"_": None, "N_": None, "__": None}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def messages_in_code() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers", "core"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(locale: str):  # type: ignore[no-untyped-def]
    path = PROJECT_ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_code_has_messages() -> None:
    assert len(messages_in_code()) > 20


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    translations = catalogue(locale)
    missing = []
    for message_id in sorted(messages_in_code()):
        entry = translations.get(message_id)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message_id)
            continue
        assert sorted(PLACEHOLDER.findall(entry.string)) == sorted(PLACEHOLDER.findall(message_id)), (
            message_id
        )
    assert not missing, f"{locale} lacks translations for: {missing}"


def test_catalogues_compile_and_translate(tmp_path: Path) -> None:
    i18n = build_i18n(PROJECT_ROOT / "locales", tmp_path, "zh_CN")
    assert set(i18n.available_locales) == set(SUPPORTED_LOCALES)
    assert i18n.gettext("帮助", locale="en") == "Help"
    assert i18n.gettext("帮助", locale="zh_CN") == "帮助"


HAN = re.compile(r"[\u4e00-\u9fff]")


def test_english_is_not_the_chinese_copied() -> None:
    """An English "translation" that is still Chinese is a missing translation. Bilingual labels
    ("语言 / Language") and texts that quote Chinese on purpose keep some Han characters, so only
    a copy of the whole message counts."""
    english = catalogue("en")
    copied = [
        entry.id
        for entry in english
        if entry.id and entry.string == entry.id and HAN.search(entry.id) and "/ " not in entry.id
    ]
    assert not copied, f"untranslated: {copied}"


def test_template_messages_are_in_the_catalogues() -> None:
    found = set()
    for template in (PROJECT_ROOT / "bot" / "web" / "templates").glob("*.html"):
        found.update(re.findall(r'_\(["\']([^"\']+)["\']\)', template.read_text(encoding="utf-8")))
    english = catalogue("en")
    assert found and all(english.get(text) is not None and english.get(text).string for text in found)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_each_message_stands_once_in_its_catalogue(locale: str) -> None:
    """Catalogues merge by union (.gitattributes): an entry added on two branches would stand twice,
    and babel keeps one of them silently."""
    path = PROJECT_ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po"
    lines = path.read_text(encoding="utf-8").split("\n")
    seen: dict[str, int] = {}
    twice = []
    for number, line in enumerate(lines, 1):
        if line.startswith("msgid ") and line != 'msgid ""':
            if line in seen:
                twice.append(f"{line} at lines {seen[line]} and {number}")
            seen[line] = number
            assert number == 1 or lines[number - 2] == "" or lines[number - 2].startswith("#"), (
                f"line {number}: {line} is not separated from the entry before it"
            )
    assert not twice, twice

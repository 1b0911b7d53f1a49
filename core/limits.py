"""Telegram's limits on what one message may carry, and how Telegram counts them.

Source: the Bot API reference (sendMessage `text` 1-4096 characters after entities parsing,
`caption` 0-1024, `callback_data` 1-64 bytes) and Telegram's answers ("reply markup is too long"
past 100 inline buttons). Telegram counts characters in UTF-16 code units: an emoji outside the
Basic Multilingual Plane counts two. DESIGN.md, "Messaging rules that follow from Telegram".
"""

from __future__ import annotations

import html
import re

MAX_TEXT = 4096  # UTF-16 code units of a message's visible text
MAX_CAPTION = 1024  # UTF-16 code units of a media caption's visible text
MAX_BUTTONS = 100  # inline buttons in one keyboard, all rows together
MAX_CALLBACK_DATA = 64  # bytes of UTF-8
MAX_ALERT = 200  # UTF-16 code units of a callback answer's text

_TAG = re.compile(r"<[^>]*>")


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(markup: str) -> int:
    """UTF-16 length of what Telegram shows for the bot's own HTML (tags dropped, entities read).

    `markup` must be HTML the bot built (well formed); for arbitrary input use the sandbox's
    strict parser.
    """
    return utf16_length(html.unescape(_TAG.sub("", markup)))


def shorten(text: str, budget: int) -> str:
    """`text` if it fits in `budget` UTF-16 units, else its head ending in "…" (within budget).

    For showing people's long text on a card; the stored text is never cut.
    """
    if utf16_length(text) <= budget:
        return text
    units, end = 0, 0
    for end, char in enumerate(text):  # noqa: B007
        units += 2 if ord(char) > 0xFFFF else 1
        if units > budget - 1:
            break
    return text[:end].rstrip() + "…"


def split(text: str, budget: int = MAX_TEXT) -> list[str]:
    """`text` in consecutive parts of at most `budget` UTF-16 units each, cut at a line break or
    a space where one is near, so that a long text is sent whole in several messages."""
    parts: list[str] = []
    rest = text
    while utf16_length(rest) > budget:
        head = shorten(rest, budget + 1)[:-1]  # the longest prefix that fits
        cut = max(head.rfind("\n"), head.rfind(" "))
        if cut < len(head) // 2:  # no good break near the end: cut mid-line
            cut = len(head)
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ") if cut < len(head) else rest[cut:]
    if rest or not parts:
        parts.append(rest)
    return parts

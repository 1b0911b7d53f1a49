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

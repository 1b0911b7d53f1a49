"""Text helpers shared by every layer."""

from __future__ import annotations

import re


def N_(message: str) -> str:
    """Marks a message for the catalogues without translating it here."""
    return message


# C0 controls but tab and line feed; DEL and the C1 controls; the bidirectional embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a card or an export read
# backwards ("Trojan Source"). Carriage returns become line feeds.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """People's text as it may be stored and shown: CR LF and lone CR become LF, control characters
    and bidirectional overrides are removed; everything else (emoji, U+2028, any script) is kept.

    Applied once, where an update enters the bot (bot/middlewares/clean.py; ARCHITECTURE.md
    "text from people is cleaned once where it enters"). Idempotent: clean_text(clean_text(s)) ==
    clean_text(s).
    """
    if text.isprintable():  # the common case: nothing to do
        return text
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))

"""Text helpers shared by every layer."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for the catalogues without translating it here."""
    return message

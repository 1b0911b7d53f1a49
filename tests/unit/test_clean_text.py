"""People's text is cleaned once where it enters: control characters and bidirectional overrides go,
everything else stays (core/text.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.text import clean_text


def test_controls_and_overrides_are_removed_and_the_rest_kept() -> None:
    assert clean_text("莲花\x0b路\x00 12\x1f号\x7f\x85\x9f") == "莲花路 12号"
    assert clean_text("abc\u202edcba\u202c \u2066x\u2069") == "abcdcba x"
    assert clean_text("第一行\r\n第二行\r第三行\n\t缩进") == "第一行\n第二行\n第三行\n\t缩进"
    kept = "路灯坏了 🙂 A&B <90天> \u2028 العربية \u200d"
    assert clean_text(kept) == kept


@given(st.text())
def test_cleaning_is_idempotent_and_leaves_no_unsafe_character(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert "\r" not in cleaned
    for char in cleaned:
        code = ord(char)
        assert char in "\t\n" or not (code < 0x20 or 0x7F <= code <= 0x9F), repr(char)
        assert not (0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069), repr(char)

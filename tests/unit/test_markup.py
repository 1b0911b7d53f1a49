"""The local server reads Telegram HTML as strictly as Telegram."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.markup import EntityParseError, parse_html, plain_from_html, utf16_length


@pytest.mark.parametrize(
    ("source", "visible"),
    [
        ("<b>粗</b>体", "粗体"),
        ('<a href="https://example.org">链接</a>', "链接"),
        ("&lt;b&gt; &amp; &quot; &#20320; &#x597d;", '<b> & " 你 好'),
        ('<span class="tg-spoiler">秘</span><tg-spoiler>密</tg-spoiler>', "秘密"),
        ("<blockquote expandable>引</blockquote>", "引"),
        ('<pre><code class="language-python">x</code></pre>', "x"),
        ("a > b", "a > b"),
    ],
)
def test_valid_html(source: str, visible: str) -> None:
    assert parse_html(source) == visible


@pytest.mark.parametrize(
    "source",
    [
        "<b>x",
        "x</b>",
        "<b><i>x</b></i>",
        "<div>x</div>",
        "a < b",
        "R&D",
        "&nbsp;",
        '<span class="x">y</span>',
        "<a>no href</a>",
        '<b onclick="x">y</b>',
    ],
)
def test_invalid_html(source: str) -> None:
    with pytest.raises(EntityParseError):
        parse_html(source)


@given(st.text())
def test_escaped_text_always_parses_back_to_itself(text: str) -> None:
    assert parse_html(html.escape(text, quote=False)) == text


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_length("字") == 1
    assert utf16_length("😀") == 2


def test_plain_from_html_never_raises() -> None:
    assert plain_from_html("<b>a &amp; b</b> < c") == "a & b < c"

"""Telegram's HTML parse mode, as strictly as Telegram reads it: what is shown, or why not."""

from __future__ import annotations

import html
import re

# Tags Telegram accepts, with the attributes each may carry.
_TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "tg-spoiler": set(),
    "span": {"class"},
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
    "tg-time": {"unix", "format"},
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][\w-]*)(?P<attrs>(?:\s+[\w-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>"
    r"|&(?P<entity>#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);"
    r"|(?P<bad>[<&])"
)
_ATTR = re.compile(r"([\w-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


class EntityParseError(ValueError):
    """Telegram's "Bad Request: can't parse entities: …"."""


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse_html(text: str) -> str:
    """Returns the visible text, or raises EntityParseError with Telegram's wording."""
    visible: list[str] = []
    open_tags: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        visible.append(text[position : match.start()])
        position = match.end()
        offset = _byte_offset(text, match.start())
        if match.group("bad"):
            char = match.group("bad")
            if char == "<":
                raise EntityParseError(f'Unsupported start tag "" at byte offset {offset}')
            raise EntityParseError(f"Character entity expected at byte offset {offset}")
        if entity := match.group("entity"):
            if entity.startswith("#"):
                try:
                    code = int(entity[2:], 16) if entity[1] in "xX" else int(entity[1:])
                    visible.append(chr(code))
                except (ValueError, OverflowError):
                    raise EntityParseError(f"Invalid character entity at byte offset {offset}") from None
            elif entity in _NAMED_ENTITIES:
                visible.append(_NAMED_ENTITIES[entity])
            else:
                raise EntityParseError(f'Unsupported HTML entity "&{entity};" at byte offset {offset}')
            continue
        tag = match.group("tag").lower()
        if match.group("close"):
            if not open_tags:
                raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
            expected = open_tags.pop()
            if expected != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{expected}>", found "</{tag}>"'
                )
            continue
        if tag not in _TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        attrs = {
            name.lower(): (value or "").strip("\"'") for name, value in _ATTR.findall(match.group("attrs"))
        }
        unknown = set(attrs) - _TAGS[tag]
        if unknown:
            raise EntityParseError(f'Unsupported attribute "{sorted(unknown)[0]}" at byte offset {offset}')
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if tag == "a" and not attrs.get("href"):
            raise EntityParseError(f'Can\'t find href in the tag "a" at byte offset {offset}')
        open_tags.append(tag)
    if open_tags:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    visible.append(text[position:])
    return "".join(visible)


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the person sees. Only HTML is checked to the letter (the bot only uses HTML)."""
    if parse_mode is None or parse_mode == "":
        return text
    if parse_mode.upper() == "HTML":
        return parse_html(text)
    if parse_mode in ("Markdown", "MarkdownV2"):
        return re.sub(r"\\(.)", r"\1", text)
    raise EntityParseError(f"Unsupported parse_mode {parse_mode!r}")


def utf16_length(text: str) -> int:
    """Telegram measures text in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def plain_from_html(text: str) -> str:
    """For printing in a terminal: tags dropped, entities decoded (never raises)."""
    return html.unescape(re.sub(r"</?[a-zA-Z][^>]*>", "", text))

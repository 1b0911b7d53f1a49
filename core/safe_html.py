"""One notion of HTML that is already safe, shared with jinja2 and markupsafe: the `__html__`
protocol (what `markupsafe.Markup` implements and `markupsafe.escape` honours).

People's text is escaped once, by `esc`, where it enters a message; escaping its result again
changes nothing, so text that went through a helper already escaped is never shown as `&amp;`.
The result is a `str` whose `+`, `%` and `format` are plain `str` operations (unlike `Markup`,
which would escape the bot's own tags when concatenated to them). Button labels are plain text
(Telegram shows them as typed) and are never escaped.
"""

from __future__ import annotations

from markupsafe import Markup, escape

__all__ = ["Html", "Markup", "esc"]


class Html(str):
    """HTML for Telegram's parse mode in which people's text is escaped already."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


def esc(text: object) -> Html:
    """`text` escaped for Telegram's HTML parse mode, unless it is safe HTML already
    (`Html`, `Markup` or anything with `__html__`)."""
    return Html(escape(text))

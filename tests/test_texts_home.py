"""Words in one home (issue 14): every message is written in one module and imported from there
(bot/common_texts.py for what several flows share, bot/<flow>_texts.py for a flow's own, and
bot/exports/texts.py for the tables' headers); labels and buttons too, so a word changes in one place.

The walk is babel's own extraction over bot/, handlers/ and core/ (the same one tests/test_i18n.py
uses), so whatever `_()` / `N_()` / `__()` marks with a literal counts; a constant passed to `_()`
is not a second copy."""

from __future__ import annotations

from collections import defaultdict

from babel.messages.extract import extract_from_dir

from bot.config import PROJECT_ROOT

KEYWORDS = {"_": None, "N_": None, "__": None}


def modules_by_message() -> dict[str, set[str]]:
    where: dict[str, set[str]] = defaultdict(set)
    for folder in ("bot", "handlers", "core"):
        for file, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            where[message if isinstance(message, str) else message[0]].add(f"{folder}/{file}")
    return where


def test_each_message_is_written_in_one_module() -> None:
    twice = {
        message: sorted(modules) for message, modules in modules_by_message().items() if len(modules) > 1
    }
    assert not twice, f"written in more than one module (move to a texts module): {twice}"


def test_the_stale_button_sentence_is_written_once() -> None:
    stale = {m: s for m, s in modules_by_message().items() if "按钮已失效" in m}
    assert stale and all(modules == {"bot/common_texts.py"} for modules in stale.values()), stale

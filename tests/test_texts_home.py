"""Words in one home (issue 14): every message is written in one module and imported from there
(bot/common_texts.py for what several flows share, bot/<flow>_texts.py for a flow's own, and
bot/exports/texts.py for the tables' headers); labels and buttons too, so a word changes in one place.
What the clock and the outbox send, and every multi-line message, is written in a texts module.

The walk is babel's own extraction over bot/, handlers/ and core/ (the same one tests/test_i18n.py
uses), so whatever `_()` / `N_()` / `__()` marks with a literal counts; a constant passed to `_()`
is not a second copy."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath

from babel.messages.extract import extract_from_dir

from bot.config import PROJECT_ROOT

KEYWORDS = {"_": None, "N_": None, "__": None}

# Where what the clock and the outbox send is composed: the scheduler, the notices (the use cases
# that tell people), the notifier that renders each letter for the outbox, and the outbox itself.
SENDERS = ("bot/runtime/scheduler.py", "bot/notify.py", "bot/outbox/", "bot/notices/")


def modules_by_message() -> dict[str, set[str]]:
    where: dict[str, set[str]] = defaultdict(set)
    for folder in ("bot", "handlers", "core"):
        for file, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            where[message if isinstance(message, str) else message[0]].add(f"{folder}/{file}")
    return where


def is_texts_module(module: str) -> bool:
    """A module whose name ends in texts.py (bot/round_texts.py, bot/exports/texts.py) or any
    module of a `texts` package."""
    path = PurePosixPath(module)
    return path.name.endswith("texts.py") or "texts" in path.parts[:-1]


def test_each_message_is_written_in_one_module() -> None:
    twice = {
        message: sorted(modules) for message, modules in modules_by_message().items() if len(modules) > 1
    }
    assert not twice, f"written in more than one module (move to a texts module): {twice}"


def test_the_stale_button_sentence_is_written_once() -> None:
    """A button that is gone reads the same everywhere: no flow words its own "expired" button."""
    stale = {m: s for m, s in modules_by_message().items() if "按钮" in m and ("失效" in m or "过期" in m)}
    assert stale and all(modules == {"bot/common_texts.py"} for modules in stale.values()), stale


def test_sent_and_multiline_messages_are_written_in_texts_modules() -> None:
    """The sender modules mark no message of their own (they take constants and functions from texts
    modules), and a message with a line break is marked in a texts module only."""
    assert all((PROJECT_ROOT / sender).exists() for sender in SENDERS)  # a rename must not void the rule
    misplaced = sorted(
        (module, message)
        for message, modules in modules_by_message().items()
        for module in modules
        if not is_texts_module(module) and ("\n" in message or module.startswith(SENDERS))
    )
    assert not misplaced, f"write these in a texts module and import them: {misplaced}"

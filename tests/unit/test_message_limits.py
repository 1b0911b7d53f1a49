"""Cards fit Telegram's limits by construction, whatever people typed (issue 14, fault 1).

Every suggestion card (the deputy's card, the resident's /my detail, the new-card notice), and
every text of a selection round that lists its candidates (the office's card, the ballot and its
pages, the confirmation, the results, the 预先审议) is rendered with maximal inputs — the longest texts the bot accepts, in the widest characters
(emoji count two UTF-16 units; `<` and `&` are escaped into longer HTML) — and measured as
Telegram measures it: the visible text parsed by the local server's strict HTML reader.
"""

from __future__ import annotations

import ast
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram.types import InlineKeyboardMarkup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db.models import (
    Community,
    Deputy,
    RoundCandidate,
    SelectionRound,
    Street,
    Suggestion,
    SuggestionEvent,
    User,
)
from bot.keyboards import rounds as kb
from bot.notices.rounds import unreachable_text
from bot.presenters import deputy_card, full_text, is_shortened, suggestion_detail
from bot.round_texts import (
    ballot_text,
    confirmation_text,
    paper_checked,
    pre_review_texts,
    results_text,
    round_card,
)
from bot.runtime.i18n import build_i18n
from bot.sandbox.markup import utf16_length, visible_text
from bot.services.suggestions import SuggestionView
from core.categories import default_categories
from core.limits import MAX_BUTTONS, MAX_CALLBACK_DATA, MAX_CAPTION, MAX_TEXT, shorten, split
from core.results import Marks, RoundResult
from core.tally import Mode, Problem

ROOT = Path(__file__).resolve().parents[2]
MAX_TYPED = 4000  # the highest SUGGESTION_MAX_CHARS allows (config: le=4000)
KINDS = ["ask", "answer", "decline", "merge", "to_street", "reassign"]

wide = st.sampled_from(["😀", "字", "&", "<", ">", '"', "a", "\n", " "])


def typed(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.lists(wide, min_size=min_size, max_size=MAX_TYPED).map("".join)


@pytest.fixture(scope="module")
def i18n(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return build_i18n(ROOT / "locales", tmp_path_factory.mktemp("i18n"), "zh_CN")


def view_of(text: str, reasons: list[str], name: str) -> tuple[SuggestionView, User]:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    suggestion = Suggestion(
        id=1, year=2026, number=999999, resident_id=1, text=text, category="transport",
        state="needs_info", share_name=True, on_behalf_deputy_id=1, created_at=now, updated_at=now,
    )  # fmt: skip
    events = [
        SuggestionEvent(
            id=n,
            suggestion_id=1,
            actor_role="deputy",
            kind=KINDS[n % len(KINDS)],
            old_state="submitted",
            new_state="needs_info",
            reason=reason,
            at=now,
        )
        for n, reason in enumerate(reasons)
    ]
    street = Street(id=1, district_id=1, name="街" * 64, key="街" * 64)
    community = Community(id=1, street_id=1, name="社" * 64)
    author = User(id=1, telegram_id=1, full_name=name, pseudonym="9999")
    return SuggestionView(suggestion, street, community, events, []), author


def shown_length(html: str) -> int:
    return utf16_length(visible_text(html, "HTML"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=typed(),
    reasons=st.lists(typed(), max_size=30),
    name=st.text(wide, max_size=256),
    locale=st.sampled_from(["zh_CN", "en"]),
)
def test_every_card_fits_one_message(i18n, text: str, reasons: list[str], name: str, locale: str) -> None:  # type: ignore[no-untyped-def]
    view, author = view_of(text, reasons, name)
    with i18n.context(), i18n.use_locale(locale):
        card = deputy_card(view, author, UTC)
        notice = "📥 您的街道有一条新建议：\n\n" + card
        detail = suggestion_detail(view, UTC)
        whole = full_text(view)
    for html in (card, notice, detail):
        assert shown_length(html) <= MAX_TEXT
    # Nothing is lost: whatever a card leaves out, the 全文 press sends in parts that fit.
    parts = split(whole)
    assert "".join(parts).replace("\n", "").replace(" ", "") == whole.replace("\n", "").replace(" ", "")
    assert all(utf16_length(part) <= MAX_TEXT for part in parts)
    if not is_shortened(view):
        assert text in visible_text(card, "HTML")


def test_the_maximal_card() -> None:
    """The largest inputs at once: each field at its limit in the widest character."""
    build = build_i18n(ROOT / "locales", Path(__import__("tempfile").mkdtemp()), "zh_CN")
    view, author = view_of("😀" * MAX_TYPED, ["&" * MAX_TYPED] * 50, "<" * 256)
    with build.context(), build.use_locale("zh_CN"):
        assert shown_length(deputy_card(view, author, UTC)) <= MAX_TEXT
        assert shown_length(suggestion_detail(view, UTC)) <= MAX_TEXT
    assert is_shortened(view)


@given(st.text(wide, max_size=3 * MAX_TEXT), st.integers(min_value=2, max_value=MAX_TEXT))
def test_shorten_and_split_respect_the_budget(text: str, budget: int) -> None:
    short = shorten(text, budget)
    assert utf16_length(short) <= budget
    assert short == text or short.endswith("…")
    assert all(utf16_length(part) <= MAX_CAPTION for part in split(text, MAX_CAPTION))


# -- selection rounds: every text that lists candidates (issue 14; found by the security review) ------
# No bound holds the number of a round's candidates (every candidate item of the year comes in, and
# the import takes any number); a title is up to 200 characters (the column, and what add_item keeps).
MAX_TITLE = 200
CATEGORIES = [category.code for category in default_categories()]


def a_round(count: int, mode: Mode, title: str, parent: bool) -> tuple[SelectionRound, list[RoundCandidate]]:
    when = datetime(2027, 1, 4, 9, tzinfo=UTC)
    round_ = SelectionRound(
        id=99999, year=2027, title=title[:MAX_TITLE], mode=mode.value, quota=max(1, count * 5 // 6),
        status="closed", parent_id=1 if parent else None, electorate=9999, opens_at=when, closes_at=when,
        created_by=1, created_at=when,
    )  # fmt: skip
    candidates = [
        RoundCandidate(
            id=n,
            round_id=99999,
            code=f"c{n}",
            item_id=n,
            title=title[n % 7 :][:MAX_TITLE],
            category=CATEGORIES[n % len(CATEGORIES)],
            origin="special" if n % 2 else "pool",
        )
        for n in range(1, count + 1)
    ]
    return round_, candidates


def a_result(round_: SelectionRound, candidates: list[RoundCandidate]) -> RoundResult:
    codes = tuple(c.code for c in candidates)
    third = len(codes) // 3
    return RoundResult(
        config_errors=(), turnout=9999, quorum_met=True, invalid_ballots=9999,
        counts={code: Marks(yes=9999, no=9999, abstain=9999) for code in codes}, ranking=codes,
        elected=codes[:third], tied=codes[third : 2 * third], seats_left=9999,
    )  # fmt: skip


def keyboard_fits(markup: InlineKeyboardMarkup) -> list[str]:
    """The keyboard's callback data, after asserting Telegram would take the keyboard."""
    buttons = [button for line in markup.inline_keyboard for button in line]
    assert len(buttons) <= MAX_BUTTONS
    assert all(len((b.callback_data or "").encode()) <= MAX_CALLBACK_DATA for b in buttons)
    return [b.callback_data or "" for b in buttons]


def round_texts_fit(count: int, mode: Mode, title: str, parent: bool, locale: str, i18n) -> None:  # type: ignore[no-untyped-def]
    round_, candidates = a_round(count, mode, title, parent)
    codes = {c.code for c in candidates}
    approve = {c.code: True for c in candidates}
    marks = {c.code: "abstain" for c in candidates}
    errors = [Problem("category", {"id": "c99999", "category": title[:32]}, title)] * count
    unreachable = [Deputy(id=n, name=title[:64], street_id=1) for n in range(500)]
    with i18n.context(), i18n.use_locale(locale):
        result = a_result(round_, candidates)
        notes = unreachable_text(unreachable)
        shown = [
            round_card(round_, candidates, errors, UTC, notes=notes, result=result),
            results_text(round_, candidates, result),
            confirmation_text(round_, candidates, approve if mode is Mode.APPROVAL else marks, True),
            *pre_review_texts(round_, candidates, UTC),
            paper_checked(None, json.dumps(marks), marks),
        ]
        # The ballot: every candidate can be seen and chosen, on one page or several.
        seen, chosen = set(), set()
        pages = len(kb.ballot_pages(round_, candidates))
        for page in range(pages):
            for choices in ({}, approve if mode is Mode.APPROVAL else marks):
                text = ballot_text(round_, candidates, choices, UTC, page)
                shown.append(text)
                seen |= set(re.findall(r"\bc\d+\b", visible_text(text, "HTML")))
                data = keyboard_fits(kb.ballot(round_, candidates, choices, page))
                chosen |= {d.split(":")[2] for d in data if d.startswith(("bt:", "bm:"))}
        assert seen >= codes and chosen == codes
        cards = kb.candidate_cards(round_, candidates)
        assert len(cards) == len(pre_review_texts(round_, candidates, UTC))
        assert {d.split(":")[2] for card in cards for d in keyboard_fits(card)} == codes
    for html in shown:
        assert shown_length(html) <= MAX_TEXT


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(min_value=1, max_value=400),
    mode=st.sampled_from(list(Mode)),
    title=st.text(wide, min_size=1, max_size=MAX_TITLE),
    parent=st.booleans(),
    locale=st.sampled_from(["zh_CN", "en"]),
)
def test_every_round_text_fits_one_message(
    i18n, count: int, mode: Mode, title: str, parent: bool, locale: str
) -> None:  # type: ignore[no-untyped-def]
    round_texts_fit(count, mode, title, parent, locale, i18n)


@pytest.mark.parametrize("count", [33, 34, 99, 100, 1000])
@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_maximal_round(i18n, count: int, mode: Mode, locale: str) -> None:  # type: ignore[no-untyped-def]
    """As many candidates as the keyboard holds, one more, and a thousand; titles of 200 of the
    widest characters (an emoji counts two units, `&` is escaped into five)."""
    round_texts_fit(count, mode, ("😀&" * MAX_TITLE)[:MAX_TITLE], False, locale, i18n)


# -- Telegram's limits are counted as Telegram counts them --------------------------------------------
# Telegram counts UTF-16 code units of the visible text; len() counts Python characters (an emoji
# outside the BMP is one, Telegram's two) of what may be HTML. Every comparison with a Telegram limit
# goes through core/limits.py (utf16_length, visible_length); len() stays for database columns.
TELEGRAM_LIMITS = {"MAX_TEXT", "MAX_CAPTION", "MAX_ALERT"}  # (MAX_CALLBACK_DATA is bytes: len of UTF-8)
TELEGRAM_NUMBERS = {4096, 1024}


def _is_len(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


def _is_telegram_limit(node: ast.expr) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    if name in TELEGRAM_LIMITS or "CAPTION" in name:
        return True
    return isinstance(node, ast.Constant) and node.value in TELEGRAM_NUMBERS


def len_against_telegram(source: str) -> list[int]:
    """Lines where len(...) is compared with one of Telegram's limits."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_len(side) for side in sides) and any(_is_telegram_limit(side) for side in sides):
                found.append(node.lineno)
    return found


def test_the_length_check_sees_len_against_a_limit() -> None:
    assert len_against_telegram("ok = len(text) <= MAX_CAPTION") == [1]
    assert len_against_telegram("if 0 < len(row.text) > limits.MAX_TEXT:\n    pass") == [1]
    assert len_against_telegram("ok = len(text) <= _CAPTION_LIMIT or len(t) < 4096") == [1, 1]
    assert len_against_telegram("ok = utf16_length(text) <= MAX_CAPTION and len(name) <= 64") == []


def test_no_len_is_compared_with_a_telegram_limit() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in ("bot", "handlers", "core")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "core" / "limits.py"
        for line in len_against_telegram(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"len() compared with a Telegram limit (use core.limits.utf16_length): {found}"

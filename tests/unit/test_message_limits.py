"""Cards fit Telegram's limits by construction, whatever people typed (issue 14, fault 1).

Every suggestion card (the deputy's card, the resident's /my detail, the new-card notice) is
rendered with maximal inputs — the longest texts the bot accepts, in the widest characters
(emoji count two UTF-16 units; `<` and `&` are escaped into longer HTML) — and measured as
Telegram measures it: the visible text parsed by the local server's strict HTML reader.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db.models import Community, Street, Suggestion, SuggestionEvent, User
from bot.presenters import deputy_card, full_text, is_shortened, suggestion_detail
from bot.runtime.i18n import build_i18n
from bot.sandbox.markup import utf16_length, visible_text
from bot.services.suggestions import SuggestionView
from core.limits import MAX_CAPTION, MAX_TEXT, shorten, split

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

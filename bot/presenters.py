"""How domain things read in chat, in the current language (call inside an i18n context)."""

from __future__ import annotations

from datetime import tzinfo

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.common_texts import CATEGORY_LINE, PLACE_LINE, REASON_ASIDE, RESIDENT_PSEUDONYM
from bot.db.models import Community, District, Street, Suggestion, SuggestionEvent, User
from bot.services.suggestions import SuggestionView, tracking
from bot.suggestion_texts import ACTION_LABELS, STATE_LABELS
from core.categories import by_code
from core.limits import shorten, utf16_length
from core.permissions import Access, shows_reason
from core.safe_html import Html, esc
from core.workflow import State

EXCERPT = 60
# How much of people's own text a card shows (UTF-16 units), so that a card fits one message
# (4,096) whatever was typed: the text, the last four questions and answers, the last eight
# events with their reasons. The whole text is a "全文" press away (handlers/deputy.full_text).
TEXT_BUDGET = 1200
DIALOGUE_BUDGET = 400
DIALOGUE_SHOWN = 4
REASON_BUDGET = 200
EVENTS_SHOWN = 8


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def current_locale() -> str:
    return get_i18n().current_locale


def area_name(area: Street | District) -> str:
    """A street's or district's name in the reader's language, where the area file gives one."""
    return area.name_en if area.name_en and current_locale() == "en" else area.name


def category_name(code: str | None) -> str:
    category = by_code().get(code or "")
    return category.name(current_locale()) if category else _("未分类")


def state_label(state: str | None) -> str:
    try:
        return _(STATE_LABELS[State(state)])
    except (KeyError, ValueError):
        return state or "—"


def plain_excerpt(text: str, size: int = EXCERPT) -> str:
    """The start of a text on one line, as plain text: for button labels (never escaped)."""
    flat = " ".join(text.split())
    return shorten(flat, size)


def excerpt(text: str, size: int = EXCERPT) -> Html:
    """The start of a text on one line, escaped once for a message."""
    return esc(plain_excerpt(text, size))


def place(street: Street | None, community: Community | None) -> str:
    if street is None:
        return _("未填写")
    parts = [area_name(street)] + ([community.name] if community else [])
    return esc(" ".join(parts))


def resident_name(user: User, share_name: bool) -> str:
    """What deputies and staff see: the pseudonym, unless the resident chose to share their name."""
    pseudonym = _(RESIDENT_PSEUDONYM).format(code=user.pseudonym)
    if share_name and user.full_name:
        return esc(f"{user.full_name}（{pseudonym}）")
    return pseudonym


def suggestion_line(suggestion: Suggestion, followed: bool = False) -> str:
    mark = _("（关注）") if followed else ""
    return (
        f"<b>{tracking(suggestion)}</b>{mark} · {state_label(suggestion.state)}\n{excerpt(suggestion.text)}"
    )


def event_line(event: SuggestionEvent, tz: tzinfo, with_reason: bool = True) -> str:
    when = event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    line = f"{when} {state_label(event.new_state)}"
    if event.reason and with_reason:
        line += _(REASON_ASIDE).format(reason=esc(shorten(event.reason, REASON_BUDGET)))
    return line


def is_shortened(view: SuggestionView) -> bool:
    """Whether a card or detail of this suggestion shows less than everything people wrote."""
    texts = [(view.suggestion.text, TEXT_BUDGET)]
    texts += [(event.reason or "", DIALOGUE_BUDGET) for event in _dialogue(view)]
    texts += [(event.reason or "", REASON_BUDGET) for event in view.events]
    return len(view.events) > EVENTS_SHOWN or any(utf16_length(t) > budget for t, budget in texts)


def _dialogue(view: SuggestionView) -> list[SuggestionEvent]:
    return [event for event in view.events if event.kind in ("ask", "answer")]


def full_text(view: SuggestionView, dialogue: bool = True) -> str:
    """Everything people wrote on a suggestion, whole, as plain text (escape it to send); with
    `dialogue`, the questions and answers between the author and the deputies too."""
    lines = [view.tracking, "", view.suggestion.text]
    for event in _dialogue(view) if dialogue else []:
        label = _("追问：{text}") if event.kind == "ask" else _("回答：{text}")
        lines += ["", label.format(text=event.reason or "")]
    return "\n".join(lines)


def suggestion_detail(view: SuggestionView, tz: tzinfo, access: Access = Access.FULL) -> str:
    """The detail a reader sees: a follower (PUBLIC access) reads states and reasons, never the
    questions and answers between the author and the deputies (core.permissions)."""
    suggestion = view.suggestion
    lines = [
        f"<b>{view.tracking}</b>",
        _(CATEGORY_LINE).format(category=category_name(suggestion.category)),
        _(PLACE_LINE).format(place=place(view.street, view.community)),
        _("状态：{state}").format(state=state_label(suggestion.state)),
    ]
    if view.attachments:
        lines.append(_("照片：{count} 张").format(count=len(view.attachments)))
    lines += ["", esc(shorten(suggestion.text, TEXT_BUDGET)), "", _("<b>进展</b>")]
    lines += [
        event_line(event, tz, with_reason=shows_reason(event.kind, access))
        for event in view.events
        if event.kind != "abandon"
    ][-EVENTS_SHOWN:]
    return "\n".join(lines)


def deputy_card(view: SuggestionView, author: User, tz: tzinfo) -> str:
    """What a deputy (or staff member) reads: never the resident's Telegram identity."""
    suggestion = view.suggestion
    lines = [
        f"<b>{view.tracking}</b> · {category_name(suggestion.category)}",
        _(PLACE_LINE).format(place=place(view.street, view.community)),
        _("来自：{resident}").format(resident=resident_name(author, suggestion.share_name)),
        _("状态：{state}").format(state=state_label(suggestion.state)),
    ]
    if suggestion.on_behalf_deputy_id:
        lines.append(_("代表代征集"))
    if view.attachments:
        lines.append(_("照片：{count} 张").format(count=len(view.attachments)))
    lines += ["", esc(shorten(suggestion.text, TEXT_BUDGET))]
    dialogue = _dialogue(view)
    if dialogue:
        lines.append("")
        for event in dialogue[-DIALOGUE_SHOWN:]:
            label = _("追问：{text}") if event.kind == "ask" else _("回答：{text}")
            lines.append(label.format(text=esc(shorten(event.reason or "", DIALOGUE_BUDGET))))
    return "\n".join(lines)

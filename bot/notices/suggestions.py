"""What a suggestion's street and its followers hear (DESIGN.md, "Suggestion lifecycle").

- `deliver_card`: a submitted, answered or reassigned suggestion reaches every active deputy of its
  street as a card with the triage buttons, each in their language (not during quiet hours).
- `changed`: after each step, the author and the followers hear of it, except the one who acted.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.db.models import Suggestion, SuggestionEvent, User
from bot.keyboards import triage as kb
from bot.notices.recipients import street_deputies
from bot.presenters import deputy_card, is_shortened
from bot.services.container import Services
from bot.suggestion_texts import NEW_IN_YOUR_STREET


async def deliver_card(
    services: Services, suggestion: Suggestion, intro: str | None = None, skip: int | None = None
) -> int:
    """Queues the suggestion's card for every deputy of its street but `skip` (a user id).

    `intro` is a catalogue msgid (marked with N_) put above the card in each deputy's language.
    The key names the suggestion's last event and street, so a card goes out once per step.
    Returns how many letters were queued."""
    view = await services.suggestions.view(suggestion.id)  # type: ignore[arg-type]
    author = await services.users.get(suggestion.resident_id)
    photo = view.attachments[0].file_id if view and view.attachments else None
    deputies = await street_deputies(services, suggestion.street_id, skip)
    last = await services.suggestions.last_event(suggestion)
    tz = services.settings.tz

    def render(_deputy: User) -> tuple[str, InlineKeyboardMarkup | None]:
        head = _(intro) if intro else _(NEW_IN_YOUR_STREET)
        markup = kb.card_actions(suggestion)
        if is_shortened(view):  # type: ignore[arg-type]
            markup = kb.with_full_text(markup, suggestion)
        return f"{head}\n\n{deputy_card(view, author, tz)}", markup  # type: ignore[arg-type]

    return await services.outbox.notify(
        services.session,
        f"card:{suggestion.id}:{last.id if last else 0}:{suggestion.street_id}",
        "card",
        deputies,
        render,
        urgent=False,
        media_kind="photo" if photo else None,
        media=photo,
    )


async def changed(services: Services, suggestion: Suggestion, event: SuggestionEvent) -> int:
    """The author and the followers hear of `event`, except its actor; returns letters queued."""
    followers = await services.suggestions.followers(suggestion)
    return await services.outbox.suggestion_changed(services.session, suggestion, event, followers)

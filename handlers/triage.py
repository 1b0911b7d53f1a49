"""Acting on a suggestion's card: a deputy forwards, merges, declines, asks back, reclassifies or
reassigns it; staff and admins mark it 论证可行 / 论证不可行; an admin nominates it as a candidate.

Each press is checked against the card's version (a stale card is refused and says who handled it),
then the change is stored, the card says what was done, and the author and followers are told.
"""

from __future__ import annotations

from collections.abc import Awaitable

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.common_texts import DEPUTY, DEPUTY_NAME, NOT_NOW, NOT_YOUR_STREET, REASON_LINE
from bot.db.models import CandidateItem, Suggestion, SuggestionEvent, User, column_limit
from bot.keyboards import triage as kb
from bot.notices.suggestions import changed, deliver_card
from bot.permissions import ROLE_NAMES, restrict
from bot.presenters import DIALOGUE_BUDGET, category_name, deputy_card, full_text, is_shortened, state_label
from bot.replies import answer_with, edit_markup, edit_or_send, refuse_too_long, send
from bot.services.container import Services
from bot.services.suggestions import tracking
from bot.services.triage import Refused
from bot.suggestion_texts import CANDIDATE_TITLE
from core.limits import shorten, split
from core.permissions import TRIAGE_ACTIONS, Access, Need
from core.roles import Role
from core.safe_html import esc
from core.text import N_
from core.workflow import Action, allowed_actions
from core.workflow import State as SuggestionState


class TriageInput(StatesGroup):
    decline_reason = State()
    question = State()


class Feasibility(StatesGroup):
    reason = State()


class Nomination(StatesGroup):
    title = State()


# -- cards ---------------------------------------------------------------------------------------
async def card_markup(
    services: Services, user: User, role: Role, suggestion: Suggestion
) -> InlineKeyboardMarkup | None:
    """The buttons this person may use on this suggestion now (core.workflow's table says which
    actions the state allows the role; core.permissions whether the row is theirs)."""
    actions = set(allowed_actions(SuggestionState(suggestion.state), role))
    if actions & {Action.FEASIBLE, Action.INFEASIBLE}:
        return kb.feasibility(suggestion)
    if Action.NOMINATE in actions:
        return kb.nominate(suggestion)
    if actions & TRIAGE_ACTIONS and await services.triage.may(user, role, suggestion, Need.TRIAGE):
        return kb.card_actions(suggestion)
    return None


async def render_card(services: Services, suggestion_id: int) -> tuple[str, Suggestion, bool] | None:
    """The card's text, its suggestion, and whether the card shows people's text shortened."""
    view = await services.suggestions.view(suggestion_id)
    if view is None:
        return None
    author = await services.users.get(view.suggestion.resident_id)
    return deputy_card(view, author, services.settings.tz), view.suggestion, is_shortened(view)  # type: ignore[arg-type]


def full_text_button(markup: InlineKeyboardMarkup | None, suggestion: Suggestion, shortened: bool):  # type: ignore[no-untyped-def]
    return kb.with_full_text(markup, suggestion) if shortened else markup


async def open_card(
    query: CallbackQuery, services: Services, user: User, role: Role, suggestion: Suggestion
) -> None:
    """A card opened from a listing: the suggestion loader let in its readers only."""
    markup = await card_markup(services, user, role, suggestion)
    text, shown, shortened = await render_card(services, suggestion.id)  # type: ignore[misc, arg-type]
    await send(query, text, reply_markup=full_text_button(markup, shown, shortened))


async def show_full_text(
    query: CallbackQuery, services: Services, suggestion: Suggestion, access: Access
) -> None:
    """Everything written on a suggestion, whole, in as many messages as it takes: the suggestion
    loader lets in its readers; a follower (PUBLIC access) gets the text without the questions
    and answers between the author and the deputies (core.permissions)."""
    view = await services.suggestions.view(suggestion.id)  # type: ignore[arg-type]
    for part in split(full_text(view, dialogue=access is Access.FULL)):  # type: ignore[arg-type]
        await send(query, esc(part))


# -- refusing and applying -------------------------------------------------------------------------
async def refuse(
    query: CallbackQuery | Message,
    services: Services,
    refused: Refused,
    *,
    callback_answer: CallbackAnswer | None,
) -> None:
    """Why a press or a typed reason was refused: an alert on the button, or a reply."""
    if refused.code == "stale" and refused.suggestion is not None:
        handled = await services.triage.handled(refused.suggestion)
        # The actor as the last event stored their role: the resident who answered, a deputy by
        # name, staff, the office; anyone else "others" (issue 13, fault 13).
        names = {
            "resident": _("提建议的居民"),
            "deputy": _(DEPUTY_NAME).format(name=handled.deputy.name)
            if handled and handled.deputy
            else _(DEPUTY),
            "staff": _(ROLE_NAMES[Role.STAFF]),
            "admin": _("管理员"),
        }
        who = names.get(handled.role, _("他人")) if handled else _("他人")
        text = _("这条建议已由{who}处理，现在的状态：{state}。").format(
            who=esc(who), state=state_label(refused.suggestion.state)
        )
    elif refused.code == "not_yours":
        text = _(NOT_YOUR_STREET)
    elif refused.code == "reason_required":
        text = _("请写明理由。")
    else:
        text = _(NOT_NOW)
    if callback_answer is not None:
        answer_with(callback_answer, text, alert=True)
    else:
        await query.answer(text)


def done_line(suggestion: Suggestion, event: SuggestionEvent) -> str:
    """What the card says under itself once the step is stored."""
    done = _("✅ 已处理：{state}").format(state=state_label(suggestion.state))
    if event.kind == "reclassify":
        done = _("✅ 类别已改为：{category}").format(category=category_name(suggestion.category))
    elif event.kind == "reassign":
        done = _("✅ 已转给{street}的代表").format(street=esc(event.reason or ""))
    if event.reason and event.kind not in ("reclassify", "reassign"):
        done += "\n" + _(REASON_LINE).format(reason=esc(shorten(event.reason, DIALOGUE_BUDGET)))
    return done


async def apply(
    target: CallbackQuery | Message,
    services: Services,
    user: User,
    role: Role,
    outcome: tuple[Suggestion, SuggestionEvent],
) -> None:
    """After a change: the card says what was done, the resident and followers are told."""
    suggestion, event = outcome
    # Told in the same transaction as the change: both are stored, or neither.
    await changed(services, suggestion, event)
    await services.commit()
    text, _fresh, shortened = await render_card(services, suggestion.id)  # type: ignore[misc,arg-type]
    markup = full_text_button(await card_markup(services, user, role, suggestion), suggestion, shortened)
    answer = f"{text}\n\n{done_line(suggestion, event)}"
    if isinstance(target, CallbackQuery):
        await edit_or_send(target, answer, reply_markup=markup)
    else:
        await target.answer(answer, reply_markup=markup)
    if event.kind == "reassign":
        await deliver_card(services, suggestion, intro=N_("📥 有一条建议转到了您的街道："), skip=user.id)


async def settle(
    target: CallbackQuery | Message,
    services: Services,
    user: User,
    role: Role,
    attempt: Awaitable[tuple[Suggestion, SuggestionEvent]],
    *,
    callback_answer: CallbackAnswer | None,
) -> None:
    """Carry out a triage attempt: refused with the reason, or applied and told."""
    try:
        outcome = await attempt
    except Refused as refused:
        await refuse(target, services, refused, callback_answer=callback_answer)
        return
    await apply(target, services, user, role, outcome)


async def act_and_apply(
    target: CallbackQuery | Message,
    services: Services,
    user: User,
    role: Role,
    sid: int,
    v: int,
    action: Action,
    *,
    callback_answer: CallbackAnswer | None,
    **kwargs: object,
) -> None:
    attempt = services.triage.act(user, role, sid, v, action, **kwargs)  # type: ignore[arg-type]
    await settle(target, services, user, role, attempt, callback_answer=callback_answer)


# -- a deputy's buttons ----------------------------------------------------------------------------
async def card_step(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Card,
    state: FSMContext,
    services: Services,
    user: User,
    suggestion: Suggestion,
) -> None:
    """A first press on a card: the buttons of the chosen action replace the card's buttons."""
    if suggestion.version != callback_data.v or SuggestionState(suggestion.state) not in kb.OPEN_STATES:
        await refuse(query, services, Refused("stale", suggestion), callback_answer=callback_answer)
        return
    if callback_data.act == "ask":
        await state.set_state(TriageInput.question)
        await state.set_data({"sid": suggestion.id, "v": suggestion.version})
        await send(query, _("请写下要问居民的问题（发送 /cancel 取消）："))
        return
    markup = await step_markup(services, suggestion, callback_data.act)
    if markup is None:
        answer_with(callback_answer, _("本街道没有可以合并的其他建议。"), alert=True)
        return
    await edit_markup(query, markup)


async def step_markup(services: Services, suggestion: Suggestion, act: str) -> InlineKeyboardMarkup | None:
    """The buttons of one action on a card; None when there is nothing to merge into."""
    if act in kb.FORWARDS:
        return kb.confirm(suggestion, act)
    if act == "decline":
        return kb.decline_reasons(suggestion)
    if act == "merge":
        targets = await services.triage.merge_candidates(suggestion)
        return kb.merge_targets(suggestion, targets) if targets else None
    if act == "reclass":
        return kb.categories(suggestion)
    if act == "reassign":
        return kb.streets(suggestion, await services.areas.streets())
    return kb.card_actions(suggestion)  # back


async def confirm_forward(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Confirm,
    services: Services,
    user: User,
    role: Role,
) -> None:
    if callback_data.act not in kb.FORWARDS:
        await refuse(query, services, Refused("not_allowed"), callback_answer=callback_answer)
        return
    action = Action(callback_data.act)
    await act_and_apply(
        query,
        services,
        user,
        role,
        callback_data.sid,
        callback_data.v,
        action,
        callback_answer=callback_answer,
    )


async def decline_with(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.DeclineWith,
    state: FSMContext,
    services: Services,
    user: User,
    role: Role,
) -> None:
    if callback_data.reason == -1:
        await state.set_state(TriageInput.decline_reason)
        await state.set_data({"sid": callback_data.sid, "v": callback_data.v})
        await send(query, _("请写下不予采纳的理由，它会转告居民（发送 /cancel 取消）："))
        return
    if not 0 <= callback_data.reason < len(kb.DECLINE_REASONS):
        await refuse(query, services, Refused("not_allowed"), callback_answer=callback_answer)
        return
    # The reason is stored in the office's language, as it is written in the event log.
    reason = kb.DECLINE_REASONS[callback_data.reason]
    await act_and_apply(
        query,
        services,
        user,
        role,
        callback_data.sid,
        callback_data.v,
        Action.DECLINE,
        reason=reason,
        callback_answer=callback_answer,
    )


async def typed_text(message: Message, state: FSMContext, services: Services, user: User, role: Role) -> None:
    """A decline reason or a question, typed after the button asked for it."""
    text = (message.text or "").strip()
    asking = await state.get_state() == TriageInput.question.state
    if len(text) < 2:
        await message.answer(_("请写下要问的问题。") if asking else _("请写明理由。"))
        return
    if await refuse_too_long(message, text, services.settings.suggestion_max_chars):
        return
    data = await state.get_data()
    await state.clear()
    action = Action.ASK if asking else Action.DECLINE
    await act_and_apply(
        message, services, user, role, data["sid"], data["v"], action, reason=text, callback_answer=None
    )


async def merge_into(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.MergeInto,
    services: Services,
    user: User,
    role: Role,
) -> None:
    target = await services.suggestions.get(callback_data.target)
    await act_and_apply(
        query,
        services,
        user,
        role,
        callback_data.sid,
        callback_data.v,
        Action.MERGE,
        reason=tracking(target) if target else None,
        merge_into=callback_data.target,
        callback_answer=callback_answer,
    )


async def reclassify(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Reclassify,
    services: Services,
    user: User,
    role: Role,
) -> None:
    attempt = services.triage.reclassify(user, role, callback_data.sid, callback_data.v, callback_data.code)
    await settle(query, services, user, role, attempt, callback_answer=callback_answer)


async def reassign(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Reassign,
    services: Services,
    user: User,
    role: Role,
) -> None:
    attempt = services.triage.reassign(user, role, callback_data.sid, callback_data.v, callback_data.street)
    await settle(query, services, user, role, attempt, callback_answer=callback_answer)


# -- the district's buttons: feasibility and nomination ------------------------------------------------
async def feasibility(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Feasibility,
    state: FSMContext,
    role: Role,
    user: User,
    services: Services,
    suggestion: Suggestion,
) -> None:
    if callback_data.feasible:
        await act_and_apply(
            query,
            services,
            user,
            role,
            callback_data.sid,
            callback_data.v,
            Action.FEASIBLE,
            callback_answer=callback_answer,
        )
        return
    if suggestion.version != callback_data.v:
        await refuse(query, services, Refused("stale", suggestion), callback_answer=callback_answer)
        return
    await state.set_state(Feasibility.reason)
    await state.set_data({"sid": callback_data.sid, "v": callback_data.v})
    await send(query, _("请写下论证不可行的理由（发送 /cancel 取消）："))


async def infeasible_reason(
    message: Message, state: FSMContext, role: Role, user: User, services: Services
) -> None:
    text = (message.text or "").strip()
    if len(text) < 2:
        await message.answer(_("请写明理由。"))
        return
    if await refuse_too_long(message, text, services.settings.suggestion_max_chars):
        return
    data = await state.get_data()
    await state.clear()
    await act_and_apply(
        message,
        services,
        user,
        role,
        data["sid"],
        data["v"],
        Action.INFEASIBLE,
        reason=text,
        callback_answer=None,
    )


async def nominate(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Nominate,
    state: FSMContext,
    services: Services,
    suggestion: Suggestion,
) -> None:
    """The admin is shown the neutral candidate title to confirm or replace, never the raw text."""
    if suggestion.version != callback_data.v:
        await refuse(query, services, Refused("stale", suggestion), callback_answer=callback_answer)
        return
    title = services.triage.candidate_title(suggestion)
    await state.set_state(Nomination.title)
    await state.set_data({"sid": callback_data.sid, "v": callback_data.v})
    await send(
        query,
        _(CANDIDATE_TITLE).format(title=esc(title)),
        reply_markup=kb.confirm_title(suggestion),
    )


async def nominate_as_offered(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.NominateTitle,
    state: FSMContext,
    role: Role,
    user: User,
    services: Services,
) -> None:
    await state.clear()
    await act_and_apply(
        query,
        services,
        user,
        role,
        callback_data.sid,
        callback_data.v,
        Action.NOMINATE,
        callback_answer=callback_answer,
    )


async def nominate_as_typed(
    message: Message, state: FSMContext, role: Role, user: User, services: Services
) -> None:
    data = await state.get_data()
    title = (message.text or "").strip()
    longest = column_limit(CandidateItem, "title")
    if not 2 <= len(title) <= longest:
        await message.answer(_("标题应为 2 到 {limit} 个字，请重新发送：").format(limit=longest))
        return
    await state.clear()
    await act_and_apply(
        message,
        services,
        user,
        role,
        data["sid"],
        data["v"],
        Action.NOMINATE,
        callback_answer=None,
        title=title,
    )


def setup() -> Router:
    """Triage (a street's deputies and admins), cards (their readers), the district pool's
    feasibility (staff and admins) and nominations (admins); the suggestion loader checks the row."""
    triage = {"suggestion": Need.TRIAGE}
    router = restrict(Router(name="triage"), Role.DEPUTY, Role.ADMIN)
    router.message.register(typed_text, TriageInput.decline_reason, F.text, ~F.text.startswith("/"))
    router.message.register(typed_text, TriageInput.question, F.text, ~F.text.startswith("/"))
    router.callback_query.register(card_step, kb.Card.filter(), flags=triage)
    router.callback_query.register(confirm_forward, kb.Confirm.filter(), flags=triage)
    router.callback_query.register(decline_with, kb.DeclineWith.filter(), flags=triage)
    router.callback_query.register(merge_into, kb.MergeInto.filter(), flags=triage)
    router.callback_query.register(reclassify, kb.Reclassify.filter(), flags=triage)
    router.callback_query.register(reassign, kb.Reassign.filter(), flags=triage)
    # Cards open from the inbox and from the staff's pool listing alike.
    cards = restrict(Router(name="triage.cards"), Role.DEPUTY, Role.STAFF, Role.ADMIN)
    cards.callback_query.register(open_card, kb.OpenCard.filter(), flags={"suggestion": Need.READ})
    pool = restrict(Router(name="triage.pool"), Role.STAFF, Role.ADMIN)
    pool.message.register(infeasible_reason, Feasibility.reason, F.text, ~F.text.startswith("/"))
    pool.callback_query.register(feasibility, kb.Feasibility.filter(), flags={"suggestion": Need.FEASIBILITY})
    office = restrict(Router(name="triage.nominate"), Role.ADMIN)
    office.callback_query.register(nominate, kb.Nominate.filter(), flags={"suggestion": Need.NOMINATE})
    office.callback_query.register(
        nominate_as_offered, kb.NominateTitle.filter(), flags={"suggestion": Need.NOMINATE}
    )
    office.message.register(nominate_as_typed, Nomination.title, F.text, ~F.text.startswith("/"))
    parent = Router(name="cards")
    parent = Router(name="cards")
    # The whole text of a card or a detail: for whoever may read it (checked in the handler).
    parent.callback_query.register(show_full_text, kb.FullText.filter(), flags={"suggestion": Need.READ})
    parent.include_routers(router, cards, pool, office)
    return parent

"""A deputy's day: new suggestions arrive as cards; /inbox; forward, merge, decline, ask back,
reclassify, reassign — each in two or three taps; /onbehalf for a resident met at a station;
/points for the ledger.
"""

from __future__ import annotations

from collections.abc import Awaitable

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html

from bot.config import Settings
from bot.db.models import Suggestion, SuggestionEvent, User
from bot.keyboards import triage as kb
from bot.keyboards.common import MenuAction
from bot.notify import Notifier
from bot.presenters import action_label, category_name, deputy_card, state_label, suggestion_line
from bot.services.container import Services
from bot.services.suggestions import tracking
from bot.services.triage import Refused
from core.classify import Classifier
from core.intake import check_text
from core.roles import Role
from core.text import N_
from core.workflow import Action
from core.workflow import State as SuggestionState
from handlers.replies import answer_with, edit_markup, edit_or_send, send


class TriageInput(StatesGroup):
    decline_reason = State()
    question = State()
    on_behalf = State()


# -- cards ---------------------------------------------------------------------------------------
async def card_markup(
    services: Services, user: User, role: Role, suggestion: Suggestion
) -> InlineKeyboardMarkup | None:
    """The buttons this person may use on this suggestion now."""
    state = SuggestionState(suggestion.state)
    if role is Role.STAFF and state is SuggestionState.TO_DISTRICT:
        return kb.feasibility(suggestion)
    if role is Role.ADMIN and state is SuggestionState.TO_DISTRICT:
        return kb.feasibility(suggestion)
    if role is Role.ADMIN and state is SuggestionState.FEASIBLE:
        return kb.nominate(suggestion)
    if await services.triage.may_triage(user, role, suggestion):
        return kb.card_actions(suggestion)
    return None


async def render_card(
    services: Services, suggestion_id: int, settings: Settings
) -> tuple[str, Suggestion] | None:
    view = await services.suggestions.view(suggestion_id)
    if view is None:
        return None
    author = await services.session.get(User, view.suggestion.resident_id)
    return deputy_card(view, author, settings.tz), view.suggestion  # type: ignore[arg-type]


async def deliver_card(
    notifier: Notifier,
    services: Services,
    suggestion: Suggestion,
    settings: Settings,
    intro: str | None = None,
    skip: int | None = None,
) -> None:
    """A suggestion's card to every deputy of its street, each in their language."""
    view = await services.suggestions.view(suggestion.id)  # type: ignore[arg-type]
    author = await services.session.get(User, suggestion.resident_id)
    photo = view.attachments[0].file_id if view and view.attachments else None
    deputies = [
        deputy for deputy in await services.triage.street_deputies(suggestion.street_id) if deputy.id != skip
    ]
    last = await services.suggestions.last_event(suggestion)

    def render(_deputy: User) -> tuple[str, InlineKeyboardMarkup | None]:
        head = _(intro) if intro else _("📥 您的街道有一条新建议：")
        return f"{head}\n\n{deputy_card(view, author, settings.tz)}", kb.card_actions(suggestion)  # type: ignore[arg-type]

    await notifier.notify(
        services.session,
        f"card:{suggestion.id}:{last.id if last else 0}:{suggestion.street_id}",
        "card",
        deputies,
        render,
        urgent=False,
        media_kind="photo" if photo else None,
        media=photo,
    )


# -- inbox ---------------------------------------------------------------------------------------
async def inbox_text(
    services: Services, user: User, role: Role, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    rows, pages = await services.triage.inbox(user, role, page)
    if not rows:
        return _("收件箱是空的：没有等待处理的建议。"), None
    page = min(max(page, 1), pages)
    header = _("<b>待处理的建议</b>（第 {page}/{pages} 页，最早的在前）").format(page=page, pages=pages)
    body = "\n\n".join(suggestion_line(row) for row in rows)
    return f"{header}\n\n{body}", kb.listing(rows, page, pages, kb.InboxPage)


async def inbox(message: Message, services: Services, user: User, role: Role) -> None:
    if role not in (Role.DEPUTY, Role.ADMIN):
        await message.answer(_("收件箱只对人大代表开放。"))
        return
    text, markup = await inbox_text(services, user, role, 1)
    await message.answer(text, reply_markup=markup)


async def inbox_page(
    query: CallbackQuery, callback_data: kb.InboxPage, services: Services, user: User, role: Role
) -> None:
    text, markup = await inbox_text(services, user, role, callback_data.page)
    await edit_or_send(query, text, reply_markup=markup)


async def open_card(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.OpenCard,
    services: Services,
    user: User,
    role: Role,
    settings: Settings,
) -> None:
    suggestion = await services.session.get(Suggestion, callback_data.sid)
    markup = await card_markup(services, user, role, suggestion) if suggestion else None
    allowed = suggestion is not None and (
        markup is not None or await services.triage.may_triage(user, role, suggestion)
    )
    if not allowed:
        answer_with(callback_answer, _("您不能查看这条建议。"), alert=True)
        return
    text, _suggestion = await render_card(services, callback_data.sid, settings)  # type: ignore[misc]
    await send(query, text, reply_markup=markup)


# -- acting on a card ------------------------------------------------------------------------------
async def refuse(
    query: CallbackQuery | Message,
    services: Services,
    refused: Refused,
    *,
    callback_answer: CallbackAnswer | None,
) -> None:
    if refused.code == "stale" and refused.suggestion is not None:
        handled = await services.triage.handled(refused.suggestion)
        who = (
            _("{name}代表").format(name=handled.deputy.name)
            if handled and handled.deputy
            else _("管理员")
            if handled and handled.actor
            else _("他人")
        )
        text = _("这条建议已由{who}处理，现在的状态：{state}。").format(
            who=html.quote(who), state=state_label(refused.suggestion.state)
        )
    elif refused.code == "not_yours":
        text = _("这条建议不属于您的街道，您不能处理。")
    elif refused.code == "reason_required":
        text = _("请写明理由。")
    else:
        text = _("这个操作现在不能进行了。")
    if callback_answer is not None:
        answer_with(callback_answer, text, alert=True)
    else:
        await query.answer(text)


async def card_step(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Card,
    state: FSMContext,
    services: Services,
    user: User,
    role: Role,
    settings: Settings,
) -> None:
    suggestion = await services.session.get(Suggestion, callback_data.sid)
    if suggestion is None:
        await refuse(query, services, Refused("not_allowed"), callback_answer=callback_answer)
        return
    if not await services.triage.may_triage(user, role, suggestion):
        await refuse(query, services, Refused("not_yours", suggestion), callback_answer=callback_answer)
        return
    if suggestion.version != callback_data.v or SuggestionState(suggestion.state) not in kb.OPEN_STATES:
        await refuse(query, services, Refused("stale", suggestion), callback_answer=callback_answer)
        return
    act = callback_data.act
    if act in kb.FORWARDS:
        markup = kb.confirm(suggestion, act)
    elif act == "decline":
        markup = kb.decline_reasons(suggestion)
    elif act == "merge":
        targets = await services.triage.merge_candidates(suggestion)
        if not targets:
            answer_with(callback_answer, _("本街道没有可以合并的其他建议。"), alert=True)
            return
        markup = kb.merge_targets(suggestion, targets)
    elif act == "reclass":
        markup = kb.categories(suggestion)
    elif act == "reassign":
        markup = kb.streets(suggestion, await services.areas.streets())
    elif act == "ask":
        await state.set_state(TriageInput.question)
        await state.set_data({"sid": suggestion.id, "v": suggestion.version})
        await send(query, _("请写下要问居民的问题（发送 /cancel 取消）："))
        return
    else:  # back
        markup = kb.card_actions(suggestion)
    await edit_markup(query, markup)


async def apply(
    target: CallbackQuery | Message,
    services: Services,
    notifier: Notifier,
    settings: Settings,
    user: User,
    role: Role,
    outcome: tuple[Suggestion, SuggestionEvent],
) -> None:
    """After a change: the card says what was done, the resident and followers are told."""
    suggestion, event = outcome
    # Told in the same transaction as the change: both are stored, or neither.
    followers = await services.suggestions.followers(suggestion)
    await notifier.suggestion_changed(services.session, suggestion, event, followers)
    await services.session.commit()
    done = _("✅ 已处理：{state}").format(state=state_label(suggestion.state))
    if event.kind == "reclassify":
        done = _("✅ 类别已改为：{category}").format(category=category_name(suggestion.category))
    elif event.kind == "reassign":
        done = _("✅ 已转给{street}的代表").format(street=html.quote(event.reason or ""))
    if event.reason and event.kind not in ("reclassify", "reassign"):
        done += "\n" + _("说明：{reason}").format(reason=html.quote(event.reason))
    text, _fresh = await render_card(services, suggestion.id, settings)  # type: ignore[misc]
    markup = await card_markup(services, user, role, suggestion)
    if isinstance(target, CallbackQuery):
        await edit_or_send(target, f"{text}\n\n{done}", reply_markup=markup)
    else:
        await target.answer(f"{text}\n\n{done}", reply_markup=markup)
    if event.kind == "reassign":
        await deliver_card(
            notifier, services, suggestion, settings, intro=N_("📥 有一条建议转到了您的街道："), skip=user.id
        )


async def confirm_forward(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Confirm,
    services: Services,
    user: User,
    role: Role,
    notifier: Notifier,
    settings: Settings,
) -> None:
    if callback_data.act not in kb.FORWARDS:
        await refuse(query, services, Refused("not_allowed"), callback_answer=callback_answer)
        return
    await settle(
        query,
        services,
        notifier,
        settings,
        user,
        role,
        services.triage.act(user, role, callback_data.sid, callback_data.v, Action(callback_data.act)),
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
    notifier: Notifier,
    settings: Settings,
) -> None:
    if callback_data.reason == -1:
        suggestion = await services.session.get(Suggestion, callback_data.sid)
        if suggestion is None or not await services.triage.may_triage(user, role, suggestion):
            await refuse(query, services, Refused("not_yours", suggestion), callback_answer=callback_answer)
            return
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
        notifier,
        settings,
        user,
        role,
        callback_data.sid,
        callback_data.v,
        Action.DECLINE,
        reason=reason,
        callback_answer=callback_answer,
    )


async def settle(
    target: CallbackQuery | Message,
    services: Services,
    notifier: Notifier,
    settings: Settings,
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
    await apply(target, services, notifier, settings, user, role, outcome)


async def act_and_apply(
    target: CallbackQuery | Message,
    services: Services,
    notifier: Notifier,
    settings: Settings,
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
    await settle(target, services, notifier, settings, user, role, attempt, callback_answer=callback_answer)


async def typed_text(
    message: Message,
    state: FSMContext,
    services: Services,
    user: User,
    role: Role,
    notifier: Notifier,
    settings: Settings,
) -> None:
    """A decline reason or a question, typed after the button asked for it."""
    text = (message.text or "").strip()
    asking = await state.get_state() == TriageInput.question.state
    if len(text) < 2:
        await message.answer(_("请写下要问的问题。") if asking else _("请写明理由。"))
        return
    data = await state.get_data()
    await state.clear()
    action = Action.ASK if asking else Action.DECLINE
    await act_and_apply(
        message,
        services,
        notifier,
        settings,
        user,
        role,
        data["sid"],
        data["v"],
        action,
        reason=text[:500],
        callback_answer=None,
    )


async def merge_into(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.MergeInto,
    services: Services,
    user: User,
    role: Role,
    notifier: Notifier,
    settings: Settings,
) -> None:
    target = await services.session.get(Suggestion, callback_data.target)
    await act_and_apply(
        query,
        services,
        notifier,
        settings,
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
    notifier: Notifier,
    settings: Settings,
) -> None:
    await settle(
        query,
        services,
        notifier,
        settings,
        user,
        role,
        services.triage.reclassify(user, role, callback_data.sid, callback_data.v, callback_data.code),
        callback_answer=callback_answer,
    )


async def reassign(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Reassign,
    services: Services,
    user: User,
    role: Role,
    notifier: Notifier,
    settings: Settings,
) -> None:
    await settle(
        query,
        services,
        notifier,
        settings,
        user,
        role,
        services.triage.reassign(user, role, callback_data.sid, callback_data.v, callback_data.street),
        callback_answer=callback_answer,
    )


# -- on behalf of a resident, and points ----------------------------------------------------------
async def on_behalf(message: Message, state: FSMContext, role: Role) -> None:
    if role is not Role.DEPUTY:
        await message.answer(_("只有人大代表可以代居民提交建议。"))
        return
    await state.set_state(TriageInput.on_behalf)
    await message.answer(
        _("请写下您在联络站听到的居民建议，我会以代征集的方式提交到您的街道（发送 /cancel 取消）：")
    )


async def on_behalf_text(
    message: Message,
    state: FSMContext,
    services: Services,
    user: User,
    classifier: Classifier,
    notifier: Notifier,
    settings: Settings,
) -> None:
    text = (message.text or "").strip()
    if check_text(text, settings.suggestion_max_chars) is not None:
        await message.answer(_("能再多写几句吗？说说在哪里、是什么问题、希望怎样改进。"))
        return
    deputy = await services.triage.deputy_of(user)
    if deputy is None:
        await state.clear()
        await message.answer(_("只有人大代表可以代居民提交建议。"))
        return
    guess = classifier.classify(text)
    suggestion = await services.suggestions.start_draft(user, text, guess)
    suggestion.category = guess.category or guess.ranked[0]
    suggestion.on_behalf_deputy_id = deputy.id
    await services.suggestions.place(suggestion, user, deputy.street_id, None)
    await services.suggestions.submit(suggestion, user, share_name=True, role=Role.DEPUTY)
    await services.triage.earn_on_behalf(user, suggestion)
    await services.session.commit()
    await state.clear()
    await message.answer(
        _("已代为提交，编号 <b>{tracking}</b>（类别：{category}）。本街道的其他代表会收到它。").format(
            tracking=tracking(suggestion), category=category_name(suggestion.category)
        )
    )
    await deliver_card(notifier, services, suggestion, settings, skip=user.id)


async def points_text(services: Services, user: User, settings: Settings) -> str:
    deputy = await services.triage.deputy_of(user)
    if deputy is None:
        return _("履职积分只对人大代表记录。")
    entries, total, rank, ranked = await services.triage.ledger(deputy)
    lines = [
        _("<b>履职积分</b>：{total} 分，排名 {rank}/{ranked}").format(total=total, rank=rank, ranked=ranked)
    ]
    if not entries:
        lines.append(_("还没有积分记录：处理建议就会得分。"))
        return "\n".join(lines)
    lines += ["", _("最近的记录：")]
    for entry in entries:
        when = entry.at.astimezone(settings.tz).strftime("%m-%d %H:%M")
        lines.append(f"{when} {action_label(entry.action)} +{entry.points}")
    return "\n".join(lines)


async def points(message: Message, services: Services, user: User, settings: Settings) -> None:
    await message.answer(await points_text(services, user, settings))


async def inbox_button(query: CallbackQuery, services: Services, user: User, role: Role) -> None:
    text, markup = await inbox_text(services, user, role, 1)
    await send(query, text, reply_markup=markup)


async def points_button(query: CallbackQuery, services: Services, user: User, settings: Settings) -> None:
    await send(query, await points_text(services, user, settings))


def setup() -> Router:
    router = Router(name="deputy")
    router.callback_query.register(inbox_button, MenuAction.filter(F.action == "inbox"))
    router.callback_query.register(points_button, MenuAction.filter(F.action == "points"))
    router.message.register(inbox, Command("inbox"))
    router.message.register(on_behalf, Command("onbehalf"))
    router.message.register(points, Command("points"))
    router.message.register(typed_text, TriageInput.decline_reason, F.text, ~F.text.startswith("/"))
    router.message.register(typed_text, TriageInput.question, F.text, ~F.text.startswith("/"))
    router.message.register(on_behalf_text, TriageInput.on_behalf, F.text, ~F.text.startswith("/"))
    router.callback_query.register(inbox_page, kb.InboxPage.filter())
    router.callback_query.register(open_card, kb.OpenCard.filter())
    router.callback_query.register(card_step, kb.Card.filter())
    router.callback_query.register(confirm_forward, kb.Confirm.filter())
    router.callback_query.register(decline_with, kb.DeclineWith.filter())
    router.callback_query.register(merge_into, kb.MergeInto.filter())
    router.callback_query.register(reclassify, kb.Reclassify.filter())
    router.callback_query.register(reassign, kb.Reassign.filter())
    return router

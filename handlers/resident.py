"""A resident writes what they wish were done; the bot files it as a suggestion.

write → category (confirm or choose) → street and community (remembered) → optional photo →
name or pseudonym → (a near-duplicate? follow it instead) → tracking number.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.common_texts import CANCELLED, CATEGORY_LINE, RESIDENT_PSEUDONYM, SAY_MORE, STALE_DRAFT
from bot.config import Settings
from bot.db.models import Suggestion, User
from bot.keyboards import suggestions as kb
from bot.notices.suggestions import deliver_card
from bot.presenters import area_name, category_name, excerpt, place, state_label
from bot.replies import answer_with, edit_markup, edit_or_send, refuse_too_long, with_caption
from bot.services.container import Services
from bot.services.suggestions import tracking
from bot.suggestion_texts import SIMILAR_IN_STREET, SIMILAR_OWN, SUBMITTED
from core.categories import by_code
from core.classify import Classification, Classifier
from core.intake import TextProblem, check_text
from core.roles import Role
from core.safe_html import esc


class Intake(StatesGroup):
    category = State()
    street = State()
    community = State()
    photo = State()
    share = State()
    duplicate = State()


# -- writing ------------------------------------------------------------------------------------
async def new_suggestion(
    message: Message,
    state: FSMContext,
    services: Services,
    user: User,
    classifier: Classifier,
    settings: Settings,
) -> None:
    """Step 1: a text (or a captioned photo) becomes a stored draft, then the category is asked."""
    text = (message.text or message.caption or "").strip()
    refusal = await why_not_taken(services, user, text, settings)
    if refusal is not None:
        await message.answer(refusal)
        return
    guess = classifier.classify(text)
    draft = await services.suggestions.start_draft(user, text, guess)
    if message.photo:
        best = message.photo[-1]
        await services.suggestions.attach_photo(draft, best.file_id, best.file_unique_id)
    await services.commit()
    await state.set_state(Intake.category)
    await state.set_data(
        {
            "draft": draft.id,
            "message": message.message_id,  # an edit of this message revises the draft
            "album": message.media_group_id,
            "photos": 1 if message.photo else 0,
        }
    )
    await ask_category(message, draft, guess)


async def why_not_taken(services: Services, user: User, text: str, settings: Settings) -> str | None:
    """What to tell a resident whose message cannot become a suggestion, or None to take it."""
    problem = check_text(text, settings.suggestion_max_chars)
    if problem is TextProblem.NO_WORDS:
        return _("请用文字写下您的建议，例如：「小区门口的路灯坏了好几个月，晚上出门不安全」。")
    if problem is TextProblem.TOO_SHORT:
        return _(SAY_MORE)
    if problem is TextProblem.TOO_LONG:
        return _("这条建议有 {count} 字，超过了 {limit} 字的上限，没有保存。请精简后再发送。").format(
            count=len(text), limit=settings.suggestion_max_chars
        )
    today = await services.suggestions.submitted_since(user, services.suggestions.start_of_today())
    if today >= settings.suggestions_per_day:
        return _("您今天已经提交了 {count} 条建议，每天最多 {limit} 条。请明天再来，谢谢！").format(
            count=today, limit=settings.suggestions_per_day
        )
    return None


async def ask_category(message: Message, draft: Suggestion, guess: Classification) -> None:
    """Step 2's question: confirm the classifier's category, or choose one."""
    if guess.category:
        await message.answer(
            _("收到！我理解这是【{category}】方面的建议。对吗？").format(
                category=category_name(guess.category)
            ),
            reply_markup=kb.confirm_category(draft),
        )
    else:
        await message.answer(
            _("收到！请帮我选一下这条建议属于哪一类："), reply_markup=kb.choose_category(draft, guess.ranked)
        )


async def busy_with_buttons(message: Message) -> None:
    await message.answer(_("您正在提交一条建议：请先用上面的按钮完成这一步，或发送 /cancel 放弃。"))


async def cancel(message: Message, state: FSMContext, services: Services, user: User) -> None:
    draft = await current_draft(state, services, user)
    busy = await state.get_state() is not None
    await state.clear()
    if draft is None:
        await message.answer(_(CANCELLED) if busy else _("现在没有进行中的操作。"))
        return
    await services.suggestions.abandon(draft, user)
    await message.answer(_("好的，这条建议没有提交。想提的时候直接写下来就可以。"))


# -- steps by button ---------------------------------------------------------------------------
async def current_draft(
    state: FSMContext, services: Services, user: User, draft_id: int | None = None
) -> Suggestion | None:
    """The draft this conversation is about; a press naming another draft is stale."""
    data = await state.get_data()
    if draft_id is not None and data.get("draft") != draft_id:
        return None
    return await services.suggestions.draft_of(user, data.get("draft", -1))


async def refuse_stale(query: CallbackQuery, *, callback_answer: CallbackAnswer) -> None:
    answer_with(callback_answer, _(STALE_DRAFT), alert=True)


async def draft_at_step(
    query: CallbackQuery,
    draft_id: int,
    step: State,
    state: FSMContext,
    services: Services,
    user: User,
    *,
    callback_answer: CallbackAnswer,
) -> Suggestion | None:
    """The draft a button names, if the conversation is at that button's step; else refused."""
    draft = await current_draft(state, services, user, draft_id)
    if draft is None or await state.get_state() != step.state:
        await refuse_stale(query, callback_answer=callback_answer)
        return None
    return draft


async def category_chosen(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.DraftCategory,
    state: FSMContext,
    services: Services,
    user: User,
    classifier: Classifier,
) -> None:
    draft = await draft_at_step(
        query, callback_data.draft, Intake.category, state, services, user, callback_answer=callback_answer
    )
    if draft is None:
        return
    if callback_data.code == "*":
        ranked = classifier.classify(draft.text).ranked
        await edit_or_send(query, _("请选择最接近的类别："), reply_markup=kb.choose_category(draft, ranked))
        return
    if callback_data.code not in by_code():
        await refuse_stale(query, callback_answer=callback_answer)
        return
    await services.suggestions.choose_category(draft, callback_data.code)
    await edit_or_send(query, _(CATEGORY_LINE).format(category=category_name(callback_data.code)))
    await ask_place(query, state, services, user, draft)


async def ask_place(
    query: CallbackQuery, state: FSMContext, services: Services, user: User, draft: Suggestion
) -> None:
    if user.home_street_id:
        street = await services.areas.street(user.home_street_id)
        community = await services.areas.community(user.home_community_id) if user.home_community_id else None
        await state.set_state(Intake.street)
        await query.message.answer(
            _("地点还是 {place} 吗？").format(place=place(street, community)),
            reply_markup=kb.keep_place(draft),
        )
        return
    await ask_street(query, state, services, user, draft)


async def ask_street(
    query: CallbackQuery, state: FSMContext, services: Services, user: User, draft: Suggestion
) -> None:
    streets = await services.areas.streets()
    await state.set_state(Intake.street)
    if not streets:  # no area file imported: the place is left out rather than blocking the resident
        await ask_photo(query.message, state, user, draft)
        return
    await query.message.answer(_("这条建议涉及哪个街道？"), reply_markup=kb.choose_street(draft, streets))


async def street_chosen(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.DraftStreet,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    draft = await draft_at_step(
        query, callback_data.draft, Intake.street, state, services, user, callback_answer=callback_answer
    )
    if draft is None:
        return
    if callback_data.street == -1:
        await edit_markup(query, None)
        await ask_street(query, state, services, user, draft)
        return
    if callback_data.street == 0:  # keep the remembered place
        await services.suggestions.place(draft, user, user.home_street_id, user.home_community_id)  # type: ignore[arg-type]
        await edit_markup(query, None)
        await ask_photo(query.message, state, user, draft)
        return
    street = await services.areas.street(callback_data.street)
    if street is None:
        await refuse_stale(query, callback_answer=callback_answer)
        return
    await services.suggestions.place(draft, user, street.id, None)  # type: ignore[arg-type]
    communities = await services.areas.communities(street.id)  # type: ignore[arg-type]
    await edit_or_send(query, _("街道：{street}").format(street=esc(area_name(street))))
    if not communities:
        await ask_photo(query.message, state, user, draft)
        return
    await state.set_state(Intake.community)
    await query.message.answer(_("哪个社区？"), reply_markup=kb.choose_community(draft, communities))


async def community_chosen(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.DraftCommunity,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    draft = await draft_at_step(
        query, callback_data.draft, Intake.community, state, services, user, callback_answer=callback_answer
    )
    if draft is None:
        return
    community = await services.areas.community(callback_data.community) if callback_data.community else None
    if callback_data.community and (community is None or community.street_id != draft.street_id):
        await refuse_stale(query, callback_answer=callback_answer)
        return
    await services.suggestions.place(draft, user, draft.street_id, community.id if community else None)  # type: ignore[arg-type]
    await edit_or_send(
        query,
        _("社区：{community}").format(community=esc(community.name) if community else _("不确定")),
    )
    await ask_photo(query.message, state, user, draft)


async def ask_photo(message: Message, state: FSMContext, user: User, draft: Suggestion) -> None:
    photos = (await state.get_data()).get("photos", 0)
    if photos:  # sent with the text (a photo with a caption, or an album): not asked again
        await message.answer(_("已收到 {count} 张照片。").format(count=photos))
        await ask_share(message, state, user, draft)
        return
    await state.set_state(Intake.photo)
    await message.answer(_("有现场照片吗？可以直接发一张（可选）。"), reply_markup=kb.skip_photo(draft))


async def photo_received(
    message: Message, state: FSMContext, services: Services, user: User, settings: Settings
) -> None:
    draft = await current_draft(state, services, user)
    if draft is None:
        await state.clear()
        await message.answer(_(STALE_DRAFT))
        return
    text = with_caption(draft.text, message)  # the photo's caption joins the suggestion
    if await refuse_too_long(message, text, settings.suggestion_max_chars):
        return
    if text != draft.text:
        await services.suggestions.revise_draft(draft, text)
    best = message.photo[-1]  # type: ignore[index]
    await services.suggestions.attach_photo(draft, best.file_id, best.file_unique_id)
    await state.update_data(album=message.media_group_id, photos=1)
    await message.answer(_("照片已收到。"))
    await ask_share(message, state, user, draft)


ALBUM_MAX = 10  # photos Telegram puts in one album


async def in_the_draft_album(message: Message, state: FSMContext) -> bool:
    """A photo of the album whose first photo started or joined the draft being written."""
    album = (await state.get_data()).get("album")
    return album is not None and album == message.media_group_id


async def album_photo(message: Message, state: FSMContext, services: Services, user: User) -> None:
    """The other photos of an album arrive as updates of their own: each joins the same draft
    (issue 14, fault 6), quietly; the album was one message for the resident."""
    draft = await current_draft(state, services, user)
    data = await state.get_data()
    if draft is None or data.get("photos", 0) >= ALBUM_MAX:
        return
    best = message.photo[-1]  # type: ignore[index]
    await services.suggestions.attach_photo(draft, best.file_id, best.file_unique_id)
    await state.update_data(photos=data.get("photos", 0) + 1)


async def edited(
    message: Message, state: FSMContext, services: Services, user: User, settings: Settings
) -> None:
    """A message corrected after it was sent (issue 14, fault 7): the text of the draft being
    written is updated; a suggestion already submitted is not changed by an edit."""
    data = await state.get_data()
    draft = await current_draft(state, services, user)
    text = (message.text or message.caption or "").strip()
    if draft is None or data.get("message") != message.message_id:
        await message.answer(
            _(
                "修改已发出的消息不会改变已提交的建议。需要补充的话，可以在代表追问时回答，或者发送 /my 查看进展。"
            )
        )
        return
    if check_text(text, settings.suggestion_max_chars) is not None:
        await message.answer(_("修改后的文字不能用作建议，草稿保持原样。"))
        return
    await services.suggestions.revise_draft(draft, text)
    await services.commit()
    await message.answer(_("已按您修改后的文字更新了这条建议的草稿。"))


async def not_a_photo(message: Message) -> None:
    await message.answer(_("请发送一张照片，或点「跳过，不发照片」。"))


async def photo_skipped(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.DraftStep,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    draft = await draft_at_step(
        query, callback_data.draft, Intake.photo, state, services, user, callback_answer=callback_answer
    )
    if draft is None:
        return
    await edit_markup(query, None)
    await ask_share(query.message, state, user, draft)


async def ask_share(message: Message, state: FSMContext, user: User, draft: Suggestion) -> None:
    await state.set_state(Intake.share)
    pseudonym = _(RESIDENT_PSEUDONYM).format(code=user.pseudonym)
    await message.answer(
        _("最后一步：人大代表处理时，看到的您是——"),
        reply_markup=kb.share_name(draft, pseudonym, user.full_name[:30]),
    )


async def share_chosen(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.DraftStep,
    state: FSMContext,
    services: Services,
    user: User,
    role: Role,
) -> None:
    draft = await draft_at_step(
        query, callback_data.draft, Intake.share, state, services, user, callback_answer=callback_answer
    )
    if draft is None:
        return
    await state.update_data(share=callback_data.action == "name")
    await edit_markup(query, None)
    similar = await services.suggestions.similar_open(draft)
    if similar:
        await state.set_state(Intake.duplicate)
        first, _score = similar[0]
        offer = _(SIMILAR_OWN) if first.resident_id == user.id else _(SIMILAR_IN_STREET)
        await query.message.answer(
            offer.format(
                tracking=tracking(first), excerpt=excerpt(first.text, 120), state=state_label(first.state)
            ),
            reply_markup=kb.near_duplicates(draft, [s for s, _ in similar]),
        )
        return
    await submit(query.message, state, services, user, role, draft)


async def submit_anyway(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.DraftStep,
    state: FSMContext,
    services: Services,
    user: User,
    role: Role,
) -> None:
    draft = await draft_at_step(
        query, callback_data.draft, Intake.duplicate, state, services, user, callback_answer=callback_answer
    )
    if draft is None:
        return
    await edit_markup(query, None)
    await submit(query.message, state, services, user, role, draft)


async def follow_instead(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.FollowInstead,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    draft = await current_draft(state, services, user, callback_data.draft)
    if draft is None or await state.get_state() != Intake.duplicate.state:
        await refuse_stale(query, callback_answer=callback_answer)
        return
    # Only one of the near-duplicates offered for this draft (open, same street): a forged id
    # would otherwise unlock any suggestion, even another person's draft (issue 13, fault 3).
    offered = {other.id: other for other, _score in await services.suggestions.similar_open(draft)}
    target = offered.get(callback_data.target)
    if target is None:
        await refuse_stale(query, callback_answer=callback_answer)
        return
    await services.suggestions.follow(user, target)
    await services.suggestions.abandon(draft, user)
    await services.commit()
    await state.clear()
    own = target.resident_id == user.id
    await edit_or_send(
        query,
        (
            _("好的，没有重复提交。<b>{tracking}</b> 的进展会通知您。")
            if own
            else _("好的，您已关注 <b>{tracking}</b>，它的进展会通知您。您写的内容没有另行提交。")
        ).format(tracking=tracking(target)),
    )


async def submit(
    message: Message,
    state: FSMContext,
    services: Services,
    user: User,
    role: Role,
    draft: Suggestion,
) -> None:
    data = await state.get_data()
    await services.suggestions.submit(draft, user, bool(data.get("share")), role)
    await deliver_card(services, draft, skip=user.id)
    await services.commit()
    await state.clear()
    view = await services.suggestions.view(draft.id)  # type: ignore[arg-type]
    await message.answer(
        _(SUBMITTED).format(
            tracking=tracking(draft),
            category=category_name(draft.category),
            place=place(view.street, view.community) if view else "—",
        ),
    )


async def cancel_button(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.DraftStep,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    draft = await current_draft(state, services, user, callback_data.draft)
    if draft is None:
        await refuse_stale(query, callback_answer=callback_answer)
        return
    await services.suggestions.abandon(draft, user)
    await state.clear()
    await edit_or_send(query, _("好的，这条建议没有提交。想提的时候直接写下来就可以。"))


def setup() -> Router:
    router = Router(name="resident")
    router.message.register(album_photo, StateFilter(Intake), F.photo, F.media_group_id, in_the_draft_album)
    router.edited_message.register(edited, F.chat.type == "private", F.text | F.caption)
    router.message.register(cancel, Command("cancel"))
    router.message.register(new_suggestion, StateFilter(None), F.text, ~F.text.startswith("/"))
    router.message.register(new_suggestion, StateFilter(None), F.photo, F.caption)
    router.message.register(photo_received, Intake.photo, F.photo)
    router.message.register(not_a_photo, Intake.photo, ~F.text.startswith("/"))
    router.message.register(busy_with_buttons, StateFilter(Intake), ~F.text.startswith("/"))
    router.callback_query.register(category_chosen, kb.DraftCategory.filter())
    router.callback_query.register(street_chosen, kb.DraftStreet.filter())
    router.callback_query.register(community_chosen, kb.DraftCommunity.filter())
    router.callback_query.register(photo_skipped, kb.DraftStep.filter(F.action == "skip_photo"))
    router.callback_query.register(share_chosen, kb.DraftStep.filter(F.action.in_({"pseudonym", "name"})))
    router.callback_query.register(submit_anyway, kb.DraftStep.filter(F.action == "submit_anyway"))
    router.callback_query.register(cancel_button, kb.DraftStep.filter(F.action == "cancel"))
    router.callback_query.register(follow_instead, kb.FollowInstead.filter())
    return router

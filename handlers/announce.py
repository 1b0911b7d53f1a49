"""Admins' announcements: an audience, a text (and a photo), a preview, a confirmation, and
delivery statistics afterwards."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.common_texts import ALL_DEPUTIES, STALE_BUTTON
from bot.db.models import User
from bot.keyboards import projects as kb
from bot.notices.announcements import announce, announcement, delivery_counts
from bot.permissions import restrict
from bot.presenters import area_name
from bot.replies import answer_with, edit_markup, edit_or_send, refuse_too_long, send
from bot.services.container import Services
from core.limits import MAX_CAPTION, MAX_TEXT, utf16_length, visible_length
from core.numbers import parse_int
from core.roles import Role
from core.safe_html import esc


class AnnounceInput(StatesGroup):
    audience = State()
    text = State()
    confirm = State()


async def announce_command(message: Message, state: FSMContext) -> None:
    await state.set_state(AnnounceInput.audience)
    await message.answer(_("这条通知发给谁？"), reply_markup=kb.audiences())


async def audience_chosen(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Audience,
    state: FSMContext,
    services: Services,
) -> None:
    kind, arg = callback_data.kind, callback_data.arg
    if arg and parse_int(arg) is None:  # a street's or a project's id, or a forged press
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    if kind == "street" and not arg:
        await edit_or_send(
            query, _("哪个街道的居民？"), reply_markup=kb.street_choice(await services.areas.streets())
        )
        return
    if kind == "followers" and not arg:
        projects = await services.projects.all()
        if not projects:
            await edit_or_send(query, _("还没有民生实事项目。"))
            await state.clear()
            return
        await edit_or_send(query, _("哪个项目的关注者？"), reply_markup=kb.project_choice(projects))
        return
    await state.update_data(kind=kind, arg=arg)
    await state.set_state(AnnounceInput.text)
    await edit_or_send(
        query,
        _("请发送通知内容：{audience}。可以发一张带说明文字的照片。发送 /cancel 取消。").format(
            audience=await audience_label(services, kind, arg)
        ),
    )


async def audience_label(services: Services, kind: str, arg: str) -> str:
    if kind == "deputies":
        return _(ALL_DEPUTIES)
    if kind == "street":
        street = await services.areas.street(int(arg))
        return _("{street}的居民").format(street=area_name(street) if street else "—")
    project = await services.projects.get(int(arg))
    return _("“{name}”的关注者").format(name=esc(project.name) if project else "—")


async def recipients(services: Services, kind: str, arg: str) -> list[User]:
    return await services.users.audience(kind, int(arg) if arg else None)


async def text_received(message: Message, state: FSMContext, services: Services) -> None:
    text = (message.caption if message.photo else message.text) or ""
    text = text.strip()
    if not text:
        await message.answer(_("请发送通知内容（发送 /cancel 取消）。"))
        return
    # What Telegram allows, as it counts (UTF-16 units), less the heading the readers see above it.
    room = (MAX_CAPTION if message.photo else MAX_TEXT) - visible_length(announcement(""))
    if await refuse_too_long(message, text, room, utf16_length):
        return
    data = await state.get_data()
    people = await recipients(services, data["kind"], data["arg"])
    photo = message.photo[-1].file_id if message.photo else None
    await state.update_data(text=text, photo=photo)
    await state.set_state(AnnounceInput.confirm)
    body = announcement(text)
    head = _("预览：将发给{audience}，共 {count} 人。").format(
        audience=await audience_label(services, data["kind"], data["arg"]), count=len(people)
    )
    await message.answer(head)
    if photo:
        await message.answer_photo(photo, caption=body, reply_markup=kb.announce_confirm())
    else:
        await message.answer(body, reply_markup=kb.announce_confirm())


async def confirmed(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    data = await state.get_data()
    if "text" not in data:
        answer_with(callback_answer, _("这条通知已经处理过了。"), alert=True)
        return
    await state.clear()
    people = await recipients(services, data["kind"], data["arg"])
    # Keyed by the preview message: a double click (or a replica) queues it once.
    key = f"announce:{user.id}:{query.message.message_id if query.message else 0}"
    queued, notification_id = await announce(services, user, key, people, data["text"], data.get("photo"))
    await services.commit()
    await edit_markup(query, None)
    await send(
        query,
        _("✅ 已排队发送给 {count} 人（夜间免打扰时段内的会在早上送出）。").format(count=queued),
        reply_markup=kb.stats(notification_id),
    )


async def show_stats(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Audience,
    services: Services,
) -> None:
    notification_id = parse_int(callback_data.arg)
    if notification_id is None:
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    counts = await delivery_counts(services, notification_id)
    answer_with(
        callback_answer,
        _("送达 {sent}，排队中 {queued}，已屏蔽机器人 {blocked}，失败 {failed}，结果不明 {unknown}。").format(
            sent=counts["sent"],
            queued=counts["pending"] + counts["claimed"] + counts["sending"],
            blocked=counts["blocked"],
            failed=counts["failed"],
            unknown=counts["unknown"],
        ),
        alert=True,
    )


async def cancelled(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    if query.message and query.message.photo:  # a photo preview has a caption, not a text
        await edit_markup(query, None)
        await send(query, _("已取消，没有发送。"))
    else:
        await edit_or_send(query, _("已取消，没有发送。"))


async def not_announcement(message: Message) -> None:
    await message.answer(_("请发送文字，或一张带说明文字的照片。发送 /cancel 取消。"))


def setup() -> Router:
    router = restrict(Router(name="announce"), Role.ADMIN)
    router.message.register(announce_command, Command("announce"))
    router.callback_query.register(show_stats, kb.Audience.filter(F.kind == "stats"))
    router.callback_query.register(cancelled, kb.Audience.filter(F.kind == "cancel"))
    router.callback_query.register(confirmed, AnnounceInput.confirm, kb.Audience.filter(F.kind == "confirm"))
    router.callback_query.register(
        audience_chosen,
        AnnounceInput.audience,
        kb.Audience.filter(F.kind.in_({"deputies", "street", "followers"})),
    )
    router.message.register(text_received, AnnounceInput.text, (F.text & ~F.text.startswith("/")) | F.photo)
    router.message.register(not_announcement, AnnounceInput.text, ~F.text.startswith("/"))
    return router

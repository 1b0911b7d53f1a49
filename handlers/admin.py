"""The congress office: invitations, the roster in chat, the district pool, candidates, exports.

Staff of implementing departments use /pool too, to mark items 论证可行 / 论证不可行.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.common_texts import CANCELLED, POINTS, STALE_BUTTON
from bot.config import Settings
from bot.db.models import Deputy, Invite, Street, User, column_limit
from bot.exports.tables import to_csv, to_xlsx
from bot.exports.texts import POINTS_EXPORT_COLUMNS, headers
from bot.keyboards import Int
from bot.keyboards import triage as kb
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import MenuAction
from bot.office_texts import DEPUTY_CARD, DEPUTY_INVITE_LINK, OPEN_INVITES_HEAD, STAFF_INVITE_LINK
from bot.permissions import ROLE_NAMES, restrict
from bot.presenters import action_label, area_name, suggestion_line
from bot.replies import answer_with, edit_or_send, refuse_too_long, send
from bot.services.container import Services
from bot.services.invites import InviteRefused
from core.roles import Role
from core.safe_html import esc
from core.workflow import State as SuggestionState


class InviteKind(CallbackData, prefix="iv"):
    kind: str  # deputy, staff


class InviteStreet(CallbackData, prefix="is"):
    street: Int


class ManageDeputy(CallbackData, prefix="md"):
    deputy: Int
    act: str  # show, toggle, move
    street: Int = 0


class CandidatePage(CallbackData, prefix="cp"):
    page: Int


class InviteRevoke(CallbackData, prefix="ir"):
    invite: Int


class InviteInput(StatesGroup):
    department = State()


# -- invitations ---------------------------------------------------------------------------------
async def invite(message: Message) -> None:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("邀请人大代表"), callback_data=InviteKind(kind="deputy"))
    builder.button(text=_("邀请承办部门工作人员"), callback_data=InviteKind(kind="staff"))
    builder.adjust(1)
    await message.answer(_("邀请谁？"), reply_markup=builder.as_markup())


async def invite_kind(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: InviteKind,
    state: FSMContext,
    services: Services,
) -> None:
    if callback_data.kind == "staff":
        await state.set_state(InviteInput.department)
        await edit_or_send(query, _("请写下承办部门的名称（例如：区教育局）："))
        return
    builder = InlineKeyboardBuilder()
    for street in await services.areas.streets():
        builder.button(text=area_name(street), callback_data=InviteStreet(street=street.id))
    builder.adjust(2)
    await edit_or_send(query, _("代表属于哪个街道？"), reply_markup=builder.as_markup())


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start=inv_{token}"


async def invite_street(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: InviteStreet,
    bot: Bot,
    user: User,
    services: Services,
    settings: Settings,
) -> None:
    street = await services.areas.street(callback_data.street)
    if street is None:
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    created = await services.invites.create(user, Role.DEPUTY, street_id=street.id)
    await services.commit()
    me = await bot.me()
    await edit_or_send(
        query,
        _(DEPUTY_INVITE_LINK).format(
            street=esc(area_name(street)),
            days=settings.invite_days,
            link=invite_link(me.username or "", created.token),
        ),
    )


async def invite_department(
    message: Message,
    state: FSMContext,
    bot: Bot,
    user: User,
    services: Services,
    settings: Settings,
) -> None:
    department = (message.text or "").strip()
    if await refuse_too_long(message, department, column_limit(Invite, "department")):
        return  # still asked for the department: a shorter name can follow
    await state.clear()
    if len(department) < 2:
        await message.answer(_(CANCELLED))
        return
    created = await services.invites.create(user, Role.STAFF, department=department)
    await services.commit()
    me = await bot.me()
    await message.answer(
        _(STAFF_INVITE_LINK).format(
            department=esc(department),
            days=settings.invite_days,
            link=invite_link(me.username or "", created.token),
        )
    )


async def invite_listing(services: Services, settings: Settings):  # type: ignore[no-untyped-def]
    """The open invitations, each with a button that revokes it."""
    rows = await services.invites.open()
    if not rows:
        return _("没有未使用的邀请链接。"), None
    streets = {street.id: area_name(street) for street in await services.areas.streets()}
    builder = InlineKeyboardBuilder()
    lines = []
    for row in rows:
        whom = (
            _("{street}的代表").format(street=streets.get(row.street_id, "—"))
            if row.street_id is not None
            else _("{department}的工作人员").format(department=row.department or "")
        )
        until = row.expires_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
        lines.append(_("#{id} {whom}，有效至 {until}").format(id=row.id, whom=esc(whom), until=until))
        builder.button(text=_("撤销 #{id}").format(id=row.id), callback_data=InviteRevoke(invite=row.id))  # type: ignore[arg-type]
    builder.adjust(2)
    return _(OPEN_INVITES_HEAD) + "\n".join(lines), builder.as_markup()


async def invites(message: Message, services: Services, settings: Settings) -> None:
    text, markup = await invite_listing(services, settings)
    await message.answer(text, reply_markup=markup)


async def revoke_invite(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: InviteRevoke,
    services: Services,
    settings: Settings,
) -> None:
    if await services.invites.revoke(callback_data.invite):
        await services.commit()
        answer_with(callback_answer, _("已撤销邀请 #{id}。").format(id=callback_data.invite))
    else:
        answer_with(callback_answer, _("这个邀请已用过、已过期或已撤销。"), alert=True)
    text, markup = await invite_listing(services, settings)
    await edit_or_send(query, text, reply_markup=markup)


def refusal(refused: InviteRefused, role: Role) -> str:
    """Why a link did nothing for its opener, in their language."""
    text = {
        "revoked": _("这个邀请链接已被撤销，请向人大常委会工作人员要一个新的。"),
        "expired": _("这个邀请链接已过期，请向人大常委会工作人员要一个新的。"),
        "used": _("这个邀请链接已经用过了。"),
        "inactive": _("您的身份已被停用，邀请链接不能重新启用；请联系人大常委会工作人员。"),
        "office": _(
            "您是人大常委会工作人员，邀请链接不会改变您的身份。这个链接仍然有效，请转给要邀请的人（/invites 可查看或撤销）。"
        ),
        "same_role": _(
            "您已经是{role}，这个邀请链接不适用于您，仍留给要邀请的人。如需变更街道或部门，请联系人大常委会工作人员。"
        ),
        "other_role": _(
            "您已登记为{role}，不能再通过邀请链接登记为{link}。这个链接仍留给要邀请的人；如有疑问，请联系人大常委会工作人员。"
        ),
    }.get(refused.code, _("这个邀请链接无效。"))
    link = _(ROLE_NAMES[refused.link]) if refused.link else ""
    return text.format(role=_(ROLE_NAMES[role]), link=link)


async def redeem(
    message: Message, command: CommandObject, services: Services, user: User, role: Role
) -> None:
    token = (command.args or "")[4:]
    try:
        invite_row = await services.invites.redeem(token, user, role)
    except InviteRefused as refused:
        await services.rollback()
        await message.answer(refusal(refused, role))
        return
    await services.commit()
    if invite_row.street_id is not None:  # a deputy's invitation names a street
        street = await services.areas.street(invite_row.street_id)  # type: ignore[arg-type]
        await message.answer(
            _("欢迎！您已登记为{street}的人大代表。发送 /inbox 查看待处理的建议。").format(
                street=esc(area_name(street) if street else "—")
            )
        )
    else:
        await message.answer(
            _("欢迎！您已登记为{department}的工作人员。发送 /pool 查看待论证的事项。").format(
                department=esc(invite_row.department or "")
            )
        )


# -- the roster in chat --------------------------------------------------------------------------
async def deputies(message: Message, services: Services) -> None:
    rows = await services.invites.deputies()
    if not rows:
        await message.answer(_("名册里还没有代表。"))
        return
    streets = {street.id: area_name(street) for street in await services.areas.streets()}
    builder = InlineKeyboardBuilder()
    for deputy in rows:
        mark = "" if deputy.is_active else _("（已停用）")
        builder.button(
            text=f"{deputy.name} · {streets.get(deputy.street_id, '—')}{mark}",
            callback_data=ManageDeputy(deputy=deputy.id, act="show"),
        )  # type: ignore[arg-type]
    builder.adjust(1)
    await message.answer(_("代表名册：点一位代表进行管理。"), reply_markup=builder.as_markup())


async def manage_deputy(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: ManageDeputy,
    user: User,
    services: Services,
) -> None:
    deputy = await services.roster.get(callback_data.deputy)
    if deputy is None:
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    streets = await services.areas.streets()
    if callback_data.act == "toggle":
        await services.roster.set_active(deputy, not deputy.is_active, user)
        await services.commit()
    elif callback_data.act == "move" and callback_data.street:
        if callback_data.street not in {street.id for street in streets}:
            answer_with(callback_answer, _(STALE_BUTTON), alert=True)
            return
        await services.roster.move(deputy, callback_data.street, user)
        await services.commit()
    text, markup = deputy_card(deputy, streets)
    await edit_or_send(query, text, reply_markup=markup)


def deputy_card(deputy: Deputy, streets: list[Street]) -> tuple[str, InlineKeyboardMarkup]:
    """A deputy in the roster: name, street and status, with the buttons to stop or move them."""
    names = {street.id: area_name(street) for street in streets}
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("停用") if deputy.is_active else _("重新启用"),
        callback_data=ManageDeputy(deputy=deputy.id, act="toggle"),
    )  # type: ignore[arg-type]
    for street in streets:
        if street.id != deputy.street_id:
            builder.button(
                text=_("调到{street}").format(street=area_name(street)),
                callback_data=ManageDeputy(deputy=deputy.id, act="move", street=street.id),
            )  # type: ignore[arg-type]
    builder.adjust(1, 2)
    status = _("在任") if deputy.is_active else _("已停用")
    text = _(DEPUTY_CARD).format(
        name=esc(deputy.name), street=esc(names.get(deputy.street_id, "—")), status=status
    )
    return text, builder.as_markup()


# -- district pool and candidates ------------------------------------------------------------------
async def listing(
    services: Services, state: SuggestionState, page: int, empty: str, title: str, paging: type[CallbackData]
):  # type: ignore[no-untyped-def]
    rows, pages = await services.triage.in_state(state, page)
    if not rows:
        return empty, None
    page = min(max(page, 1), pages)
    body = "\n\n".join(suggestion_line(row) for row in rows)
    return f"{title.format(page=page, pages=pages)}\n\n{body}", kb.listing(rows, page, pages, paging)


async def pool_listing(services: Services, page: int):  # type: ignore[no-untyped-def]
    return await listing(
        services,
        SuggestionState.TO_DISTRICT,
        page,
        _("区级需求池里没有待论证的事项。"),
        _("<b>区级需求池</b>：待论证（第 {page}/{pages} 页）"),
        kb.PoolPage,
    )


async def pool(message: Message, services: Services) -> None:
    text, markup = await pool_listing(services, 1)
    await message.answer(text, reply_markup=markup)


async def pool_button(query: CallbackQuery, callback_answer: CallbackAnswer, services: Services) -> None:
    text, markup = await pool_listing(services, 1)
    await send(query, text, reply_markup=markup)


async def pool_page(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.PoolPage,
    services: Services,
) -> None:
    text, markup = await pool_listing(services, callback_data.page)
    await edit_or_send(query, text, reply_markup=markup)


async def candidates(message: Message, services: Services) -> None:
    text, markup = await candidate_listing(services, 1)
    await message.answer(text, reply_markup=markup)


async def candidate_listing(services: Services, page: int):  # type: ignore[no-untyped-def]
    return await listing(
        services,
        SuggestionState.FEASIBLE,
        page,
        _("还没有论证可行的事项。"),
        _("<b>论证可行的事项</b>：点编号列为明年的候选项目（第 {page}/{pages} 页）"),
        CandidatePage,
    )


async def candidate_page(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: CandidatePage,
    services: Services,
) -> None:
    text, markup = await candidate_listing(services, callback_data.page)
    await edit_or_send(query, text, reply_markup=markup)


# -- exports -----------------------------------------------------------------------------------------
async def export(message: Message, services: Services, settings: Settings) -> None:
    # In the admin's language, codes read as labels; the export layer keeps every cell inert.
    header = headers(POINTS_EXPORT_COLUMNS)
    rows = [
        (
            deputy.name,
            deputy.telegram_id,
            action_label(entry.action),
            entry.points,
            entry.suggestion_id,
            entry.at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M:%S"),
        )
        for entry, deputy in await services.triage.all_points()
    ]
    stamp = services.clock.now().strftime("%Y%m%d")
    await message.answer_document(
        BufferedInputFile(to_csv(header, rows), f"points-{stamp}.csv"),
        caption=_("履职积分明细：{count} 条").format(count=len(rows)),
    )
    await message.answer_document(BufferedInputFile(to_xlsx(_(POINTS), header, rows), f"points-{stamp}.xlsx"))


def setup() -> Router:
    """Invitations (anyone may redeem one), the office's own tools, and the district pool."""
    invitations = Router(name="invitations")
    invitations.message.register(redeem, CommandStart(deep_link=True, magic=F.args.startswith("inv_")))

    office = restrict(Router(name="admin"), Role.ADMIN)
    office.message.register(invite, Command("invite"))
    office.message.register(invites, Command("invites"))
    office.message.register(invite_department, InviteInput.department, F.text, ~F.text.startswith("/"))
    office.message.register(deputies, Command("deputies"))
    office.message.register(candidates, Command("candidates"))
    office.message.register(export, Command("export"))
    office.callback_query.register(invite_kind, InviteKind.filter())
    office.callback_query.register(invite_street, InviteStreet.filter())
    office.callback_query.register(revoke_invite, InviteRevoke.filter())
    office.callback_query.register(manage_deputy, ManageDeputy.filter())
    office.callback_query.register(candidate_page, CandidatePage.filter())

    pool_router = restrict(Router(name="pool"), Role.STAFF, Role.ADMIN)
    pool_router.message.register(pool, Command("pool"))
    pool_router.callback_query.register(pool_page, kb.PoolPage.filter())
    pool_router.callback_query.register(pool_button, MenuAction.filter(F.action == "pool"))

    parent = Router(name="office")
    parent.include_routers(invitations, office, pool_router)
    return parent

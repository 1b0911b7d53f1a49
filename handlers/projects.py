"""Projects: browse by category, a card per project with what each role may do there.

Residents follow a project and choose how they hear of it; admins change what was elected
(with a reason, announced) and name the supervision group.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.common_texts import PROJECT_CHANGED, PROJECT_NOT_FOUND
from bot.config import Settings
from bot.db.models import Project, User
from bot.keyboards import projects as kb
from bot.notices.projects import tell_event
from bot.permissions import restrict
from bot.presenters import area_name
from bot.project_texts import FIELD_LABELS, MODE_LABELS, event_line, project_card
from bot.replies import answer_with, edit_or_send, refuse_too_long, send
from bot.services.container import Services
from bot.services.projects import StaleProject, change_limit
from core.money import parse_yuan
from core.numbers import parse_int
from core.permissions import ProjectNeed, project_access
from core.roles import Role
from core.safe_html import esc

GROUP_PAGE = 8


class ChangeInput(StatesGroup):
    value = State()
    reason = State()


# -- browsing ---------------------------------------------------------------------------------
async def projects_command(message: Message, services: Services) -> None:
    counts = await services.projects.category_counts()
    if not counts:
        await message.answer(_("还没有民生实事项目。项目票决公布后，当选项目会出现在这里。"))
        return
    await message.answer(_("民生实事项目，按类别浏览："), reply_markup=kb.categories(counts))


async def browse(query: CallbackQuery, callback_data: kb.Browse, services: Services) -> None:
    if not callback_data.category:
        counts = await services.projects.category_counts()
        await edit_or_send(query, _("民生实事项目，按类别浏览："), reply_markup=kb.categories(counts))
        return
    projects = await services.projects.in_category(callback_data.category)
    await edit_or_send(
        query,
        _("这一类有 {count} 个项目：").format(count=len(projects)),
        reply_markup=kb.project_list(projects),
    )


def board_link(settings: Settings) -> str | None:
    """The public board in the reader's language (its English pages live under /en)."""
    if not settings.board_url:
        return None
    base = settings.board_url.rstrip("/")
    return f"{base}/en" if get_i18n().current_locale == "en" else base


async def render(services: Services, project: Project, user: User, role: Role, settings: Settings):  # type: ignore[no-untyped-def]
    street = await services.areas.street(project.street_id) if project.street_id else None
    history = await services.projects.history_for(project, user, role, limit=5)
    follow = await services.projects.following(project, user)
    facts = await services.projects.facts(project, user, role)
    markup = kb.card(
        project,
        follow_mode=follow.mode if follow else None,
        staff=project_access(ProjectNeed.REPORT, facts),
        supervisor=project_access(ProjectNeed.INSPECT, facts),
        admin=project_access(ProjectNeed.MANAGE, facts),
        board_url=board_link(settings),
    )
    return project_card(project, area_name(street) if street else None, history, settings.tz), markup


async def show(
    query: CallbackQuery, project: Project, services: Services, user: User, role: Role, settings: Settings
) -> None:
    text, markup = await render(services, project, user, role, settings)
    await edit_or_send(query, text, reply_markup=markup)


async def project_action(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.ProjectAct,
    services: Services,
    user: User,
    role: Role,
    settings: Settings,
    project: Project,
) -> None:
    act = callback_data.act
    if act == "follow":
        await services.projects.follow(project, user.id, "tap")  # type: ignore[arg-type]
        answer_with(callback_answer, _("已关注。每周一会收到进展摘要，也可以改成每次更新都通知。"))
    elif act == "unfollow":
        await services.projects.unfollow(project, user)
        answer_with(callback_answer, _("已取消关注。"))
    elif act == "mode" and callback_data.arg in MODE_LABELS:
        await services.projects.set_mode(project, user, callback_data.arg)
        answer_with(callback_answer, _("通知方式：{mode}").format(mode=_(MODE_LABELS[callback_data.arg])))
    elif act == "history":
        lines = [
            event_line(event, settings.tz)
            for event in await services.projects.history_for(project, user, role)
        ]
        head = _("<b>{name}</b> 的全部动态：").format(name=esc(project.name))
        await send(query, "\n".join([head, *reversed(lines)]))
        return
    await services.commit()
    await show(query, project, services, user, role, settings)


# -- admin: changes and the supervision group --------------------------------------------------
async def admin_action(
    query: CallbackQuery,
    callback_data: kb.ProjectAct,
    state: FSMContext,
    project: Project,
    services: Services,
    *,
    callback_answer: CallbackAnswer,
) -> None:
    act = callback_data.act
    if act in ("change", "field") and callback_data.v != project.version:
        answer_with(callback_answer, _(PROJECT_CHANGED), alert=True)
        return
    if act == "change":
        await edit_or_send(
            query,
            _("要变更 <b>{name}</b> 的哪一项？").format(name=esc(project.name)),
            reply_markup=kb.fields(project),
        )
    elif act == "field" and callback_data.arg in FIELD_LABELS:
        await state.set_state(ChangeInput.value)
        await state.set_data({"pid": project.id, "v": project.version, "field": callback_data.arg})
        await send(
            query,
            _("请发送新的{field}（发送 /cancel 取消）：").format(field=_(FIELD_LABELS[callback_data.arg])),
        )
    elif act in ("group", "member"):
        await supervision_group(query, callback_data, project, services)


async def supervision_group(
    query: CallbackQuery, callback_data: kb.ProjectAct, project: Project, services: Services
) -> None:
    """The supervision group's page of deputies; pressing a name ("member") adds or removes them."""
    # arg: "PAGE" for a page, "DEPUTY-PAGE" for a name; a forged one shows the page unchanged.
    parts = callback_data.arg.split("-")
    page = parse_int(parts[-1]) or 0
    deputy_id = parse_int(parts[0]) if callback_data.act == "member" and len(parts) == 2 else None
    if deputy_id is not None:
        await services.projects.toggle_supervisor(project, deputy_id)
        await services.commit()
    deputies = await services.roster.active()
    pages = max(1, -(-len(deputies) // GROUP_PAGE))
    page = min(max(page, 0), pages - 1)
    members = await services.projects.supervisor_ids(project)
    await edit_or_send(
        query,
        _("<b>{name}</b> 的监督组（点姓名加入或移出）：").format(name=esc(project.name)),
        reply_markup=kb.group(
            project, deputies[page * GROUP_PAGE : (page + 1) * GROUP_PAGE], members, page, pages
        ),
    )


async def change_value(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    value = (message.text or "").strip()
    if not value:
        await message.answer(_("请发送新的内容（发送 /cancel 取消）。"))
        return
    if await refuse_too_long(message, value, change_limit(data["field"])):
        return
    if data["field"] == "budget" and parse_yuan(value) is None:
        await message.answer(_("没有看懂金额。请发送数字，单位万元，例如：320 或 320万元。"))
        return
    await state.update_data(value=value)
    await state.set_state(ChangeInput.reason)
    await message.answer(_("请写下变更的理由，它会告诉关注这个项目的居民和监督组："))


async def change_reason(
    message: Message,
    state: FSMContext,
    services: Services,
    user: User,
    role: Role,
    settings: Settings,
) -> None:
    reason = (message.text or "").strip()
    if not reason or len(reason) > 1000:
        await message.answer(_("请写下变更的理由（不超过 1000 字）。"))
        return
    data = await state.get_data()
    await state.clear()
    project = await services.projects.get(data["pid"])
    if project is None:
        await message.answer(_(PROJECT_NOT_FOUND))
        return
    try:
        event = await services.projects.change(project, user, data["v"], data["field"], data["value"], reason)
    except StaleProject:
        await message.answer(_("项目刚刚有了变化，没有保存。请重新打开项目卡片再改。"))
        return
    await tell_event(services, project, event, lambda: _("区人大常委会"))
    await services.commit()
    text, markup = await render(services, project, user, role, settings)
    await message.answer(_("✅ 已变更，并已通知关注者和监督组。") + "\n\n" + text, reply_markup=markup)


def setup() -> Router:
    """Anyone browses and follows; admins change a project and its supervision group."""
    router = Router(name="projects")
    router.message.register(projects_command, Command("projects"))
    router.callback_query.register(browse, kb.Browse.filter())
    router.callback_query.register(
        project_action,
        kb.ProjectAct.filter(F.act.in_({"show", "follow", "unfollow", "mode", "history"})),
        flags={"project": ProjectNeed.READ},
    )
    # The card's admin buttons: the project loader is their guard (and says who may).
    router.callback_query.register(
        admin_action,
        kb.ProjectAct.filter(F.act.in_({"change", "field", "group", "member"})),
        flags={"project": ProjectNeed.MANAGE},
    )
    office = restrict(Router(name="projects.admin"), Role.ADMIN)
    office.message.register(change_value, ChangeInput.value, F.text, ~F.text.startswith("/"))
    office.message.register(change_reason, ChangeInput.reason, F.text, ~F.text.startswith("/"))
    router.include_router(office)
    return router

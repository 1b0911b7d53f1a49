"""Departments report on their projects; supervising deputies note inspections; followers give
feedback. Each ends as a project event that the right people are told of."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.common_texts import (
    CANCELLED,
    DEPUTY_NAME,
    ONLY_DEPARTMENT_REPORTS,
    PROJECT_CHANGED,
    PROJECT_NOT_FOUND,
)
from bot.db.models import Project, User
from bot.keyboards import projects as kb
from bot.notices.projects import tell_event
from bot.permissions import PROJECT_REFUSALS, restrict
from bot.presenters import resident_name
from bot.project_texts import money
from bot.replies import answer_with, edit_markup, refuse_too_long, send, with_caption
from bot.services.container import Services
from bot.services.projects import Report, StaleProject
from core.limits import utf16_length
from core.money import parse_yuan
from core.permissions import ProjectNeed, project_access
from core.progress import parse_percent
from core.roles import Role
from core.safe_html import esc

TEXT_LIMIT = 2000  # UTF-16 units: a report's letter, with its heading, within Telegram's 4096


class ReportInput(StatesGroup):
    percent = State()
    spent = State()
    milestone = State()
    text = State()
    media = State()
    confirm = State()


class NoteInput(StatesGroup):
    text = State()
    photo = State()


# -- departments ------------------------------------------------------------------------------
async def report_command(message: Message, services: Services, user: User) -> None:
    department = await services.projects.department_of(user)
    if department is None:
        await message.answer(_(ONLY_DEPARTMENT_REPORTS))
        return
    projects = await services.projects.of_department(department)
    if not projects:
        await message.answer(
            _("{department} 目前没有负责的民生实事项目。").format(department=esc(department))
        )
        return
    await message.answer(_("请选择要报告的项目："), reply_markup=kb.project_list(projects, browsing=False))


async def start_report(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.ProjectAct,
    state: FSMContext,
    project: Project,
) -> None:
    plan = callback_data.act == "plan"
    if callback_data.v != project.version or plan != (project.plan_filed_at is None):
        answer_with(callback_answer, _(PROJECT_CHANGED), alert=True)
        return
    await state.set_data({"pid": project.id, "v": project.version, "plan": plan})
    if plan:
        await state.set_state(ReportInput.text)
        await send(
            query,
            _("请写下 <b>{name}</b> 的实施方案要点：工期、主要节点、资金安排（发送 /cancel 取消）。").format(
                name=esc(project.name)
            ),
        )
    else:
        await state.set_state(ReportInput.percent)
        await send(
            query,
            _("<b>{name}</b> 现在完成了多少？当前 {percent}%。点选或直接发送数字：").format(
                name=esc(project.name), percent=project.percent
            ),
            reply_markup=kb.percents(),
        )


async def percent_typed(message: Message, state: FSMContext) -> None:
    percent = parse_percent(message.text or "")
    if percent is None:
        await message.answer(_("请发送 0 到 100 之间的数字，或点选上面的按钮。"))
        return
    await percent_chosen(message, state, percent)


async def percent_pressed(
    query: CallbackQuery, callback_answer: CallbackAnswer, callback_data: kb.ReportStep, state: FSMContext
) -> None:
    percent = parse_percent(callback_data.arg)
    if percent is None:  # a forged pr:percent:250
        answer_with(callback_answer, _("请发送 0 到 100 之间的数字，或点选上面的按钮。"), alert=True)
        return
    await percent_chosen(query.message, state, percent)  # type: ignore[arg-type]


async def percent_chosen(message: Message, state: FSMContext, percent: int) -> None:
    await state.update_data(percent=percent)
    await state.set_state(ReportInput.spent)
    await message.answer(
        _("到目前为止累计支出多少？单位万元，例如 120 或 120万元："),
        reply_markup=kb.skip(_("跳过，不更新支出")),
    )


async def spent_typed(message: Message, state: FSMContext) -> None:
    amount = parse_yuan(message.text or "")
    if amount is None:
        await message.answer(_("没有看懂金额。请发送数字，单位万元，例如：120 或 120万元。"))
        return
    await state.update_data(spent=amount)
    await ask_milestone(message, state)


async def ask_milestone(message: Message, state: FSMContext) -> None:
    await state.set_state(ReportInput.milestone)
    await message.answer(
        _("这次到达了重要节点吗（如“主体完工”“投入使用”）？有的话写下节点名称："),
        reply_markup=kb.skip(_("没有新节点")),
    )


async def milestone_typed(message: Message, state: FSMContext) -> None:
    milestone = (message.text or "").strip()
    if not milestone or len(milestone) > 100:
        await message.answer(_("节点名称请不超过 100 字。"))
        return
    await state.update_data(milestone=milestone)
    await ask_text(message, state)


async def ask_text(message: Message, state: FSMContext) -> None:
    await state.set_state(ReportInput.text)
    await message.answer(_("请简要说明进展情况："))


async def typed_text(message: Message) -> str | None:
    """The text of a report or a note, or None after saying what is wrong with it."""
    text = (message.text or "").strip()
    if not text:
        await message.answer(_("请发送一段不超过 {limit} 字的文字。").format(limit=TEXT_LIMIT))
        return None
    if await refuse_too_long(message, text, TEXT_LIMIT, utf16_length):
        return None
    return text


async def text_typed(message: Message, state: FSMContext) -> None:
    text = await typed_text(message)
    if text is None:
        return
    await state.update_data(text=text)
    await state.set_state(ReportInput.media)
    await message.answer(
        _("可以附一张现场照片或一个文件（可选）："), reply_markup=kb.skip(_("跳过，不附文件"))
    )


async def media_sent(message: Message, state: FSMContext, services: Services) -> None:
    text = with_caption((await state.get_data())["text"], message)
    if await refuse_too_long(message, text, TEXT_LIMIT, utf16_length):
        return  # the caption made the report too long: a shorter one (or none) can follow
    await state.update_data(text=text)
    if message.photo:
        await state.update_data(media_kind="photo", media=message.photo[-1].file_id)
    elif message.document:
        await state.update_data(media_kind="document", media=message.document.file_id)
    await preview(message, state, services)


async def skip_pressed(query: CallbackQuery, state: FSMContext, services: Services) -> None:
    current = await state.get_state()
    message = query.message
    if current == ReportInput.spent.state:
        await ask_milestone(message, state)  # type: ignore[arg-type]
    elif current == ReportInput.milestone.state:
        await ask_text(message, state)  # type: ignore[arg-type]
    elif current == ReportInput.media.state:
        await preview(message, state, services)  # type: ignore[arg-type]
    else:
        await send(query, _("这一步已经过去了。"))


async def preview(message: Message, state: FSMContext, services: Services) -> None:
    data = await state.get_data()
    project = await services.projects.get(data["pid"])
    if project is None:
        await state.clear()
        await message.answer(_(PROJECT_NOT_FOUND))
        return
    lines = [
        _("请确认要提交的内容：") if not data["plan"] else _("请确认实施方案："),
        f"<b>{esc(project.name)}</b>",
    ]
    if not data["plan"]:
        lines.append(_("进度：{percent}%").format(percent=data["percent"]))
        if data.get("spent") is not None:
            lines.append(_("累计支出：{amount}").format(amount=money(data["spent"])))
        if data.get("milestone"):
            lines.append(_("节点：{milestone}").format(milestone=esc(data["milestone"])))
    lines.append(esc(data["text"]))
    if data.get("media_kind"):
        lines.append(_("附件：{kind}").format(kind=_("照片") if data["media_kind"] == "photo" else _("文件")))
    await state.set_state(ReportInput.confirm)
    await message.answer("\n".join(lines), reply_markup=kb.confirm())


async def confirm_pressed(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    services: Services,
    user: User,
) -> None:
    data = await state.get_data()
    await state.clear()
    project = await services.projects.get(data["pid"])
    department = await services.projects.department_of(user)
    if project is None or department != project.department:
        answer_with(callback_answer, _(ONLY_DEPARTMENT_REPORTS), alert=True)
        return
    report = Report(
        percent=data.get("percent"),
        spent=data.get("spent"),
        milestone=data.get("milestone"),
        text=data["text"],
        media_kind=data.get("media_kind"),
        media=data.get("media"),
    )
    try:
        event = await services.projects.report(project, user, data["v"], report, plan=data["plan"])
    except StaleProject:
        answer_with(callback_answer, _("项目刚刚有了变化（也许同事已经报告过），这次没有保存。"), alert=True)
        return
    told = await tell_event(services, project, event, lambda: esc(project.department))
    await services.commit()
    await edit_markup(query, None)
    await send(query, _("✅ 已提交，已通知 {count} 人（监督组、关注者）。").format(count=told))


async def cancel_pressed(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await edit_markup(query, None)
    await send(query, _(CANCELLED))


async def mark_done(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.ProjectAct,
    services: Services,
    user: User,
    project: Project,
) -> None:
    try:
        if callback_data.v != project.version:
            raise StaleProject
        event = await services.projects.mark_done(project, user, callback_data.v)
    except StaleProject:
        answer_with(callback_answer, _(PROJECT_CHANGED), alert=True)
        return
    await tell_event(services, project, event, lambda: esc(project.department))
    await services.commit()
    answer_with(callback_answer, _("已标记为完成，并已通知监督组和关注者。"), alert=True)


# -- inspections and feedback ------------------------------------------------------------------
async def start_note(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.ProjectAct,
    state: FSMContext,
    project: Project,
) -> None:
    inspection = callback_data.act == "inspect"
    await state.set_state(NoteInput.text)
    await state.set_data({"pid": project.id, "kind": "inspection" if inspection else "feedback"})
    prompt = (
        _("请写下视察情况（发送 /cancel 取消）：")
        if inspection
        else _("请写下您对 <b>{name}</b> 的意见，会转给监督组的代表和责任单位（发送 /cancel 取消）：")
    )
    await send(query, prompt.format(name=esc(project.name)))


async def note_text(message: Message, state: FSMContext, services: Services, user: User, role: Role) -> None:
    text = await typed_text(message)
    if text is None:
        return
    data = await state.get_data()
    if data["kind"] == "inspection":
        await state.update_data(text=text)
        await state.set_state(NoteInput.photo)
        await message.answer(
            _("有现场照片吗？可以发一张（可选）："), reply_markup=kb.skip(_("跳过，不附照片"))
        )
        return
    await save_note(message, state, services, user, role, text, None)


async def note_photo(message: Message, state: FSMContext, services: Services, user: User, role: Role) -> None:
    text = with_caption((await state.get_data())["text"], message)
    if await refuse_too_long(message, text, TEXT_LIMIT, utf16_length):
        return  # the caption made the note too long: a shorter one (or none) can follow
    photo = message.photo[-1].file_id if message.photo else None
    await save_note(message, state, services, user, role, text, photo)


async def note_without_photo(
    query: CallbackQuery, state: FSMContext, services: Services, user: User, role: Role
) -> None:
    data = await state.get_data()
    await save_note(query.message, state, services, user, role, data["text"], None)  # type: ignore[arg-type]


async def save_note(
    message: Message,
    state: FSMContext,
    services: Services,
    user: User,
    role: Role,
    text: str,
    photo: str | None,
) -> None:
    data = await state.get_data()
    await state.clear()
    project = await services.projects.get(data["pid"])
    if project is None:
        await message.answer(_(PROJECT_NOT_FOUND))
        return
    # Asked again at the write, as a report's confirmation does: the deputy may have left the
    # supervision group, the resident unfollowed, since the button was pressed.
    need = ProjectNeed.INSPECT if data["kind"] == "inspection" else ProjectNeed.FEEDBACK
    if not project_access(need, await services.projects.facts(project, user, role)):
        await message.answer(_(PROJECT_REFUSALS[need]))
        return
    event = await services.projects.note(project, user, role, data["kind"], text, photo)
    await tell_event(services, project, event, await author_label(services, user, data["kind"]))
    await services.commit()
    await message.answer(_("✅ 已记录，并已转告相关的人。"))


async def author_label(services: Services, user: User, kind: str) -> Callable[[], str]:
    """Who wrote a note, to be named in each reader's language: an inspection is a deputy's."""
    deputy = await services.users.active_deputy(user.telegram_id) if kind == "inspection" else None
    if deputy is not None:
        name = esc(deputy.name)
        return lambda: _(DEPUTY_NAME).format(name=name)
    return lambda: resident_name(user, share_name=False)


async def not_text(message: Message) -> None:
    await message.answer(_("这一步需要文字。请发送文字，或发送 /cancel 取消。"))


async def not_media(message: Message) -> None:
    await message.answer(_("请发送一张照片或一个文件，或点“跳过”。发送 /cancel 取消。"))


TEXT_ONLY = (F.text, ~F.text.startswith("/"))


def _card_buttons() -> Router:
    """A project card's buttons: the project loader is their guard (staff of its department,
    deputies of its supervision group, its followers), and says who may when it refuses."""
    report = {"project": ProjectNeed.REPORT}
    notes = Router(name="project_reports.notes")
    notes.callback_query.register(
        start_report, kb.ProjectAct.filter(F.act.in_({"report", "plan"})), flags=report
    )
    notes.callback_query.register(mark_done, kb.ProjectAct.filter(F.act == "done"), flags=report)
    notes.callback_query.register(
        start_note, kb.ProjectAct.filter(F.act == "inspect"), flags={"project": ProjectNeed.INSPECT}
    )
    notes.callback_query.register(
        start_note, kb.ProjectAct.filter(F.act == "feedback"), flags={"project": ProjectNeed.FEEDBACK}
    )
    notes.callback_query.register(note_without_photo, NoteInput.photo, kb.ReportStep.filter(F.act == "skip"))
    notes.message.register(note_text, NoteInput.text, *TEXT_ONLY)
    notes.message.register(note_photo, NoteInput.photo, F.photo)
    notes.message.register(not_media, NoteInput.photo, ~F.text.startswith("/"))
    notes.message.register(not_text, NoteInput.text, ~F.text.startswith("/"))
    return notes


def _report_flow() -> Router:
    """/report and the steps of a report: staff only."""
    staff = restrict(Router(name="project_reports.staff"), Role.STAFF)
    staff.message.register(report_command, Command("report"))
    staff.message.register(percent_typed, ReportInput.percent, *TEXT_ONLY)
    staff.callback_query.register(
        percent_pressed, ReportInput.percent, kb.ReportStep.filter(F.act == "percent")
    )
    staff.message.register(spent_typed, ReportInput.spent, *TEXT_ONLY)
    staff.message.register(milestone_typed, ReportInput.milestone, *TEXT_ONLY)
    staff.message.register(text_typed, ReportInput.text, *TEXT_ONLY)
    staff.message.register(media_sent, ReportInput.media, F.photo | F.document)
    staff.callback_query.register(skip_pressed, kb.ReportStep.filter(F.act == "skip"))
    staff.callback_query.register(
        confirm_pressed, ReportInput.confirm, kb.ReportStep.filter(F.act == "confirm")
    )
    staff.callback_query.register(cancel_pressed, kb.ReportStep.filter(F.act == "cancel"))
    staff.message.register(not_media, ReportInput.media, ~F.text.startswith("/"))
    for step in (ReportInput.percent, ReportInput.spent, ReportInput.milestone, ReportInput.text):
        staff.message.register(not_text, step, ~F.text.startswith("/"))
    return staff


def setup() -> Router:
    """Staff of a project's department report; its supervision group inspects; followers give
    feedback. Which project is theirs is checked by the project loader (bot/permissions.py)."""
    router = Router(name="project_reports")
    router.include_routers(_card_buttons(), _report_flow())
    return router

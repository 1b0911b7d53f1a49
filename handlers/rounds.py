"""Selection rounds in chat: the admin prepares, schedules, closes and publishes; deputies vote.

Opening, closing and reminders at their times are the scheduler's (bot/runtime/scheduler.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.common_texts import NOT_NOW, STALE_BUTTON
from bot.db.models import Deputy, PaperEntry, SelectionRound, User
from bot.evaluation_texts import title as evaluation_title
from bot.exports.rounds import round_files
from bot.keyboards import rounds as kb
from bot.loaders import RoundPress
from bot.notices.rounds import close_round, publish_round, unreachable_text
from bot.permissions import restrict
from bot.replies import answer_with, card_reply, edit_or_send, send, window_from
from bot.round_texts import (
    PAPER_HELP,
    PAPER_SAME_ADMIN,
    STATUS,
    TIMES_PROMPT,
    ballot_refusal_text,
    ballot_text,
    candidate_card,
    cast_text,
    confirmation_text,
    not_ready,
    page_of,
    paper_checked,
    paper_refusal,
    quota_prompt,
    round_card,
)
from bot.services.container import Services
from bot.services.rounds import BallotRefused
from bot.services.suggestions import tracking
from core.roles import Role
from core.rounds import AdminAct, ballot_refusal, selection_actions
from core.tally import Mode


class RoundInput(StatesGroup):
    quota = State()
    times = State()
    paper = State()
    paper_check = State()


# -- the admin ---------------------------------------------------------------------------------
async def rounds(message: Message, services: Services) -> None:
    recent = await services.rounds.recent()
    text = _("<b>票决轮次</b>") if recent else _("还没有票决轮次。")
    await message.answer(text, reply_markup=kb.rounds_list(recent))


async def show_round(target: CallbackQuery | Message, services: Services, round_: SelectionRound) -> None:
    candidates = await services.rounds.candidates(round_)
    errors = await services.rounds.check(round_) if round_.status == "draft" else []
    result = services.rounds.result_of(round_)
    notes = ""
    if round_.status in ("draft", "scheduled", "open"):
        people = (
            await services.rounds.electors(round_)
            if round_.status == "open"
            else await services.rounds.active_deputies()
        )
        notes = unreachable_text(services.rounds.unreachable(people))
    text = round_card(round_, candidates, errors, services.settings.tz, notes=notes, result=result)
    await card_reply(target, text, kb.round_card(round_, bool(errors), bool(result and result.tied)))


async def round_action(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.RoundAction,
    state: FSMContext,
    user: User,
    services: Services,
) -> None:
    """A press on the round list or a round's card: the action, if the round's status allows it."""
    if callback_data.act == "new":
        await new_round(query, state, services)
        return
    round_ = await services.rounds.get(callback_data.rid)
    if round_ is None:
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    tied = bool((result := services.rounds.result_of(round_)) and result.tied)
    if callback_data.act not in selection_actions(round_.status, tied=tied):
        answer_with(
            callback_answer,
            _("这一轮的状态已经变了：{status}。").format(status=_(STATUS.get(round_.status, round_.status))),
            alert=True,
        )
        return
    act = Act(query, callback_answer, state, user, services, round_)
    await ADMIN_ACTIONS[AdminAct(callback_data.act)](act)


async def new_round(query: CallbackQuery, state: FSMContext, services: Services) -> None:
    """➕ 新建票决: next year's candidate items, then the quota is asked for."""
    year = services.clock.now().year + 1
    items = await services.rounds.items(year)
    if not items:
        await send(
            query,
            _(
                "{year} 年还没有候选事项：用 /candidates 把论证可行的事项列为候选，"
                "或用 python -m bot candidates import 导入特定征集项目。"
            ).format(year=year),
        )
        return
    await state.set_state(RoundInput.quota)
    await state.set_data({"year": year, "rid": 0})
    await send(query, quota_prompt(items))


Act = RoundPress[SelectionRound]


async def act_show(act: Act) -> None:
    await show_round(act.query, act.services, act.round)


async def act_quota(act: Act) -> None:
    await act.state.set_state(RoundInput.quota)
    await act.state.set_data({"year": act.round.year, "rid": act.round.id})
    await send(act.query, quota_prompt(await act.services.rounds.items(act.round.year)))


async def act_times(act: Act) -> None:
    await act.state.set_state(RoundInput.times)
    await act.state.set_data({"rid": act.round.id})
    await send(
        act.query,
        _(TIMES_PROMPT).format(tz=act.services.settings.timezone),
    )


async def act_turnout(act: Act) -> None:
    voted = await act.services.rounds.turnout(act.round)
    answer_with(
        act.callback_answer,
        _("已投票 {voted}/{electorate} 人。").format(voted=voted, electorate=act.round.electorate),
        alert=True,
    )


async def act_close(act: Act) -> None:
    await close_round(act.services, act.round)
    await act.services.commit()
    await show_round(act.query, act.services, act.round)


async def act_publish(act: Act) -> None:
    await publish_round(act.services, act.round, act.user)
    await show_round(act.query, act.services, act.round)


async def act_paper(act: Act) -> None:
    rounds_ = act.services.rounds
    waiting = [d for d, _u in await rounds_.electors(act.round) if not await rounds_.has_voted(act.round, d)]
    await send(
        act.query, _("在会场用纸质选票投票的代表是谁？"), reply_markup=kb.paper_deputies(act.round, waiting)
    )


async def act_check(act: Act) -> None:
    pending = await act.services.rounds.pending_papers(act.round)
    if not pending:
        await send(act.query, _("没有等待核对的纸质选票。"))
        return
    await send(
        act.query, _("请选择要核对的纸质选票（由另一位管理员录入）："), reply_markup=kb.paper_pending(pending)
    )


async def act_export(act: Act) -> None:
    await export_round(act.query, act.services, act.round)


async def act_runoff(act: Act) -> None:
    runoff = await act.services.rounds.runoff(act.round, act.user)
    await act.services.commit()
    await show_round(act.query.message, act.services, runoff)  # type: ignore[arg-type]


# One function per action of core.rounds.SELECTION_LIFECYCLE (a test checks none is missing).
ADMIN_ACTIONS: dict[AdminAct, Callable[[Act], Awaitable[None]]] = {
    AdminAct.SHOW: act_show,
    AdminAct.QUOTA: act_quota,
    AdminAct.TIMES: act_times,
    AdminAct.TURNOUT: act_turnout,
    AdminAct.PAPER: act_paper,
    AdminAct.CHECK: act_check,
    AdminAct.CLOSE: act_close,
    AdminAct.PUBLISH: act_publish,
    AdminAct.RUNOFF: act_runoff,
    AdminAct.EXPORT: act_export,
}


async def quota_given(message: Message, state: FSMContext, user: User, services: Services) -> None:
    text = (message.text or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 500:
        await message.answer(_("请发送一个数字，例如 20。"))
        return
    data = await state.get_data()
    if data.get("rid"):
        round_ = await services.rounds.get(data["rid"])
        await state.clear()
        if round_ is None or round_.status != "draft":
            await message.answer(_(NOT_NOW))
            return
        await services.rounds.set_quota(round_, int(text))
        await services.commit()
        await show_round(message, services, round_)
        return
    await state.update_data(quota=int(text))
    await message.answer(_("选择投票方式："), reply_markup=kb.modes())


async def mode_chosen(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.NewRound,
    state: FSMContext,
    user: User,
    services: Services,
) -> None:
    data = await state.get_data()
    if "quota" not in data or callback_data.mode not in {m.value for m in Mode}:
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    await state.clear()
    year = data["year"]
    items = await services.rounds.items(year)
    title = _("{year} 年民生实事项目票决").format(year=year)
    round_ = await services.rounds.create(user, year, title, Mode(callback_data.mode), data["quota"], items)
    await services.commit()
    await show_round(query, services, round_)


async def times_given(message: Message, state: FSMContext, services: Services) -> None:
    data = await state.get_data()
    round_ = await services.rounds.get(data.get("rid", 0))
    if round_ is None or round_.status != "draft":
        await state.clear()
        await message.answer(_(NOT_NOW))
        return
    window = await window_from(
        message,
        services.settings.tz,
        services.clock.now(),
        _("没有看懂时间。请按这个格式发送：2027-01-04 09:00 2027-01-04 17:00"),
        _("开放时间不能早于现在，关闭时间要晚于开放时间。"),
    )
    if window is None:
        return
    opens, closes = window
    await state.clear()
    await services.rounds.schedule(round_, opens, closes)
    await services.commit()
    await show_round(message, services, round_)


async def export_round(query: CallbackQuery, services: Services, round_: SelectionRound) -> None:
    """Anonymous ballots and results as CSV, the Pabulib file, and the receipt hashes to publish."""
    district = await services.areas.district()
    files = round_files(
        round_,
        await services.rounds.candidates(round_),
        await services.rounds.ballots(round_),
        services.rounds.result_of(round_),
        await services.rounds.receipts(round_),
        unit=district.name if district else "",
        tz=services.settings.tz,
    )
    for content, name in files:
        await query.bot.send_document(query.from_user.id, BufferedInputFile(content, name))  # type: ignore[union-attr]


async def check_receipt(message: Message, command: CommandObject, services: Services) -> None:
    """/check CODE: was my ballot counted? Compares the receipt's hash with the published list."""
    code = (command.args or "").strip()
    if not code:
        await message.answer(_("请在 /check 后面写上回执码，例如：/check 7K3M-QX2P-9TBV-H4NC"))
        return
    found = await services.rounds.find_receipt(code)
    if found is not None:
        await message.answer(_("✅ 这张选票已计入：#{id} {title}。").format(id=found.id, title=found.title))
        return
    rated = await services.evaluations.find_receipt(code)
    if rated is not None:
        await message.answer(_("✅ 这份评价已计入：{title}。").format(title=evaluation_title(rated)))
        return
    await message.answer(_("没有在已公布的票决中找到这个回执码。请核对后再试；结果公布前无法核对。"))


# -- paper ballots: entered twice, by two admins ----------------------------------------------------


async def paper_deputy(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.PaperDeputy,
    state: FSMContext,
    services: Services,
) -> None:
    round_ = await services.rounds.get(callback_data.rid)
    if round_ is None or round_.status != "open":
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    await state.set_state(RoundInput.paper)
    await state.set_data({"rid": round_.id, "did": callback_data.did})
    await send(query, _("请照纸质选票录入（{help}）：").format(help=_(PAPER_HELP)))


async def paper_check(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.PaperCheck,
    state: FSMContext,
    user: User,
    services: Services,
) -> None:
    entry = await services.rounds.paper_entry(callback_data.eid)
    if entry is None or entry.status != "pending":
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    if entry.entered_by == user.id:
        answer_with(callback_answer, _(PAPER_SAME_ADMIN), alert=True)
        return
    await state.set_state(RoundInput.paper_check)
    await state.set_data({"eid": entry.id})
    # The first entry is not shown: the second admin reads the paper ballot afresh.
    await send(query, _("请不看第一次录入，照纸质选票再录入一次（{help}）：").format(help=_(PAPER_HELP)))


async def paper_text(message: Message, state: FSMContext, user: User, services: Services) -> None:
    """An admin types a paper ballot: the first entry, or the second one that checks it."""
    data = await state.get_data()
    checking = await state.get_state() == RoundInput.paper_check.state
    entry = await services.rounds.paper_entry(data["eid"]) if checking else None
    round_ = await services.rounds.get(entry.round_id if entry else data.get("rid", 0))
    if round_ is None:
        await state.clear()
        await message.answer(_(NOT_NOW))
        return
    candidates = await services.rounds.candidates(round_)
    choices = services.rounds.parse_paper(round_, message.text or "", {c.code for c in candidates})
    if isinstance(choices, str):
        await message.answer(_("没有看懂：{problem}。{help}").format(problem=choices, help=_(PAPER_HELP)))
        return
    await state.clear()
    try:
        if entry is None:
            await first_entry(message, services, user, round_, data["did"], choices)
        else:
            await second_entry(message, services, user, entry, choices)
    except BallotRefused as refused:
        # Words first: the rollback expires every loaded row.
        reason = paper_refusal(refused.code, round_, candidates, choices, services.settings.tz)
        await services.rollback()
        await message.answer(reason)


async def first_entry(
    message: Message, services: Services, admin: User, round_: SelectionRound, deputy_id: int, choices: dict
) -> None:
    """Stored as pending: nothing is counted until another admin enters the same ballot."""
    deputy = await services.roster.get(deputy_id)
    await services.rounds.enter_paper(round_, deputy, admin, choices)  # type: ignore[arg-type]
    await services.commit()
    await message.answer(_("已录入，等待另一位管理员核对；核对一致后才计票。"))


async def second_entry(
    message: Message, services: Services, admin: User, entry: PaperEntry, choices: dict
) -> None:
    """Counted when both entries agree; when they differ, both are shown and nothing is counted."""
    first = entry.choices  # checking forgets what the entry said
    receipt = await services.rounds.check_paper(entry, admin, choices)
    await services.commit()
    await message.answer(paper_checked(receipt, first, choices))


# -- the deputy's ballot ---------------------------------------------------------------------------
async def open_ballot(services: Services, user: User, round_id: int) -> tuple[SelectionRound, Deputy] | None:
    round_ = await services.rounds.get(round_id)
    deputy = await services.triage.deputy_of(user)
    if round_ is None or deputy is None or round_.status != "open":
        return None
    return round_, deputy


async def admitted(
    services: Services, user: User, round_id: int, *, callback_answer: CallbackAnswer
) -> tuple[SelectionRound, Deputy] | None:
    """The round and the deputy behind a ballot press, or None after telling them why the press
    cannot count: not a deputy, the round not open, already voted, not an elector, too late."""
    found, tz = await open_ballot(services, user, round_id), services.settings.tz
    if found is None:
        answer_with(callback_answer, _("这一轮投票没有在进行，或者您不是这一轮的代表。"), alert=True)
        return None
    if await services.rounds.has_voted(*found):
        answer_with(callback_answer, ballot_refusal_text("voted", found[0], tz), alert=True)
        return None
    if not await services.rounds.is_elector(*found):
        answer_with(callback_answer, ballot_refusal_text("not_elector", found[0], tz), alert=True)
        return None
    if ballot_refusal(found[0].status, found[0].closes_at, services.clock.now()) is not None:
        answer_with(callback_answer, ballot_refusal_text("late", found[0], tz), alert=True)
        return None
    return found


async def redraw(
    query: CallbackQuery, services: Services, round_: SelectionRound, choices: dict, code: str = ""
) -> None:
    """The ballot again, on the page of the candidate `code` (the first page without one)."""
    candidates = await services.rounds.candidates(round_)
    await turn_to(query, services, round_, choices, page_of(round_, candidates, code))


async def turn_to(
    query: CallbackQuery, services: Services, round_: SelectionRound, choices: dict, page: int
) -> None:
    candidates = await services.rounds.candidates(round_)
    await edit_or_send(
        query,
        ballot_text(round_, candidates, choices, services.settings.tz, page),
        reply_markup=kb.ballot(round_, candidates, choices, page),
    )


async def ballot_page(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.BallotPage,
    services: Services,
    user: User,
) -> None:
    """« 上一页 / 下一页 » on a ballot too long for one keyboard."""
    found = await admitted(services, user, callback_data.rid, callback_answer=callback_answer)
    if found is None:
        return
    round_, deputy = found
    await turn_to(query, services, round_, await services.rounds.draft(round_, deputy), callback_data.page)


async def edit_ballot(
    query: CallbackQuery,
    services: Services,
    user: User,
    rid: int,
    code: str,
    mark: bool | str,
    *,
    callback_answer: CallbackAnswer,
) -> None:
    """One change to a ballot being filled in: checked, saved as the draft, and redrawn."""
    found = await admitted(services, user, rid, callback_answer=callback_answer)
    if found is None:
        return
    round_, deputy = found
    codes = {c.code for c in await services.rounds.candidates(round_)}
    approval = Mode(round_.mode) is Mode.APPROVAL
    if code not in codes or approval != isinstance(mark, bool):
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    choices = await services.rounds.draft(round_, deputy)
    choices[code] = (not choices.get(code, False)) if approval else mark
    await services.rounds.save_draft(round_, deputy, choices)
    await services.commit()
    await redraw(query, services, round_, choices, code)


async def toggle(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Toggle,
    services: Services,
    user: User,
) -> None:
    await edit_ballot(
        query,
        services,
        user,
        callback_data.rid,
        callback_data.code,
        True,
        callback_answer=callback_answer,
    )


async def mark(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.Mark,
    services: Services,
    user: User,
) -> None:
    if callback_data.mark not in ("yes", "no", "abstain"):
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    await edit_ballot(
        query,
        services,
        user,
        callback_data.rid,
        callback_data.code,
        callback_data.mark,
        callback_answer=callback_answer,
    )


async def ballot_step(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.BallotStep,
    services: Services,
    user: User,
) -> None:
    found = await admitted(services, user, callback_data.rid, callback_answer=callback_answer)
    if found is None:
        return
    round_, deputy = found
    choices = await services.rounds.draft(round_, deputy)
    if callback_data.act == "back":
        await redraw(query, services, round_, choices)
        return
    if not await ready(services, round_, choices, callback_answer=callback_answer):
        return
    # "submit", or a confirm press without the fingerprint of what it confirms: show the screen.
    await confirmation(query, services, round_, choices, changed=callback_data.act == "confirm")


async def ready(
    services: Services, round_: SelectionRound, choices: dict, *, callback_answer: CallbackAnswer
) -> bool:
    """Whether the ballot keeps the rules; if not, the alert says which one it breaks."""
    if await services.rounds.problem(round_, choices) is None:
        return True
    answer_with(
        callback_answer, not_ready(round_, await services.rounds.candidates(round_), choices), alert=True
    )
    return False


async def confirmation(
    query: CallbackQuery, services: Services, round_: SelectionRound, choices: dict, changed: bool
) -> None:
    """The confirmation screen; its confirm button carries the fingerprint of these choices."""
    candidates = await services.rounds.candidates(round_)
    await edit_or_send(
        query,
        confirmation_text(round_, candidates, choices, changed),
        reply_markup=kb.confirm_ballot(round_, services.rounds.fingerprint(round_, choices)),
    )


async def confirm_ballot(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.ConfirmBallot,
    services: Services,
    user: User,
) -> None:
    """Casts the ballot the confirmation screen showed — only that one: if the draft changed
    since (another ballot message, another device), the new choices are shown for confirmation."""
    found = await admitted(services, user, callback_data.rid, callback_answer=callback_answer)
    if found is None:
        return
    round_, deputy = found
    choices = await services.rounds.draft(round_, deputy)
    if not await ready(services, round_, choices, callback_answer=callback_answer):
        return
    if services.rounds.fingerprint(round_, choices) != callback_data.fp:
        await confirmation(query, services, round_, choices, changed=True)
        return
    try:
        receipt = await services.rounds.cast(round_, deputy, choices)
    except BallotRefused as refused:
        text = ballot_refusal_text(
            refused.code, round_, services.settings.tz
        )  # words first: the rollback expires rows
        await services.rollback()
        answer_with(callback_answer, text, alert=True)
        return
    await services.commit()
    await edit_or_send(query, cast_text(receipt))


async def candidate(
    query: CallbackQuery, callback_answer: CallbackAnswer, callback_data: kb.CandidateCard, services: Services
) -> None:
    round_ = await services.rounds.get(callback_data.rid)
    found = (
        [c for c in await services.rounds.candidates(round_) if c.code == callback_data.code]
        if round_
        else []
    )
    if not found:
        answer_with(callback_answer, _(STALE_BUTTON), alert=True)
        return
    item, suggestion = await services.rounds.source(found[0])
    await send(query, candidate_card(found[0], item, tracking(suggestion) if suggestion else None))


async def vote(message: Message, services: Services, user: User) -> None:
    """/vote: the open rounds' ballots again (a deputy who had not started the bot, or lost it)."""
    deputy = await services.triage.deputy_of(user)
    if deputy is None:
        await message.answer(_("只有人大代表可以投票。"))
        return
    shown = 0
    for round_ in await services.rounds.recent(50):
        if (
            round_.status == "open"
            and await services.rounds.is_elector(round_, deputy)
            and not await services.rounds.has_voted(round_, deputy)
        ):
            candidates = await services.rounds.candidates(round_)
            choices = await services.rounds.draft(round_, deputy)
            await message.answer(
                ballot_text(round_, candidates, choices, services.settings.tz),
                reply_markup=kb.ballot(round_, candidates, choices),
            )
            shown += 1
    if not shown:
        await message.answer(_("现在没有需要您投票的轮次。"))


def setup() -> Router:
    """The office runs rounds; deputies (and admins, to see what deputies see) vote."""
    office = restrict(Router(name="rounds.admin"), Role.ADMIN)
    office.message.register(rounds, Command("rounds"))
    office.message.register(quota_given, RoundInput.quota, F.text, ~F.text.startswith("/"))
    office.message.register(times_given, RoundInput.times, F.text, ~F.text.startswith("/"))
    office.message.register(paper_text, RoundInput.paper, F.text, ~F.text.startswith("/"))
    office.message.register(paper_text, RoundInput.paper_check, F.text, ~F.text.startswith("/"))
    office.callback_query.register(paper_deputy, kb.PaperDeputy.filter())
    office.callback_query.register(paper_check, kb.PaperCheck.filter())
    office.callback_query.register(round_action, kb.RoundAction.filter())
    office.callback_query.register(mode_chosen, kb.NewRound.filter())
    voting = restrict(Router(name="rounds.voting"), Role.DEPUTY, Role.ADMIN)
    voting.message.register(vote, Command("vote"))
    voting.message.register(check_receipt, Command("check"))
    voting.callback_query.register(toggle, kb.Toggle.filter())
    voting.callback_query.register(mark, kb.Mark.filter())
    voting.callback_query.register(confirm_ballot, kb.ConfirmBallot.filter())
    voting.callback_query.register(ballot_step, kb.BallotStep.filter())
    voting.callback_query.register(ballot_page, kb.BallotPage.filter())
    voting.callback_query.register(candidate, kb.CandidateCard.filter())
    router = Router(name="rounds")
    router.include_routers(office, voting)
    return router

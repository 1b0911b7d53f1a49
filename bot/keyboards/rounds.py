"""Buttons of selection rounds: the admin's round card and the deputy's ballot."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.common_texts import NEXT_PAGE, PREVIOUS_PAGE, PUBLISH_RESULTS, TURNOUT
from bot.db.models import RoundCandidate, SelectionRound
from bot.keyboards import Int
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.round_texts import MARK_LABELS, ballot_pages, pages
from core.rounds import AdminAct, selection_actions
from core.tally import Mode
from core.text import N_


class RoundAction(CallbackData, prefix="ra"):
    rid: Int
    act: str  # show, quota, times, turnout, close, publish, runoff


class NewRound(CallbackData, prefix="rn"):
    mode: str


class Toggle(CallbackData, prefix="bt"):
    rid: Int
    code: str


class Mark(CallbackData, prefix="bm"):
    rid: Int
    code: str
    mark: str


class BallotStep(CallbackData, prefix="bs"):
    rid: Int
    act: str  # submit, back (and confirm from messages sent before fingerprints: asks again)


class BallotPage(CallbackData, prefix="bp"):
    """A page of a ballot whose candidates do not all fit one keyboard."""

    rid: Int
    page: Int


class ConfirmBallot(CallbackData, prefix="bs"):
    """The confirm button: `fp` is core.rounds.fingerprint of the choices the screen showed."""

    rid: Int
    act: str  # confirm
    fp: str


def rounds_list(rounds: list[SelectionRound]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for round_ in rounds:
        builder.button(
            text=f"#{round_.id} {round_.title[:24]}", callback_data=RoundAction(rid=round_.id, act="show")
        )
    builder.button(text=_("➕ 新建票决"), callback_data=RoundAction(rid=0, act="new"))
    builder.adjust(1)
    return builder.as_markup()


def modes() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("赞成制（只投赞成）"), callback_data=NewRound(mode=Mode.APPROVAL.value))
    builder.button(text=_("赞成 / 反对 / 弃权"), callback_data=NewRound(mode=Mode.YES_NO_ABSTAIN.value))
    builder.adjust(1)
    return builder.as_markup()


ACT_LABELS = {
    AdminAct.QUOTA: N_("修改应选数"),
    AdminAct.TIMES: N_("设置开放和关闭时间"),
    AdminAct.TURNOUT: N_(TURNOUT),
    AdminAct.PAPER: N_("录入纸质选票"),
    AdminAct.CHECK: N_("核对纸质选票"),
    AdminAct.CLOSE: N_("立即结束投票"),
    AdminAct.PUBLISH: N_(PUBLISH_RESULTS),
    AdminAct.RUNOFF: N_("开启加赛"),
    AdminAct.EXPORT: N_("导出选票和结果"),
}


def round_card(round_: SelectionRound, has_errors: bool, tied: bool) -> InlineKeyboardMarkup | None:
    """Exactly the actions core.rounds' lifecycle allows the round now, one button each."""
    builder = InlineKeyboardBuilder()
    acts = [
        act
        for act in selection_actions(round_.status, config_errors=has_errors, tied=tied)
        if act is not AdminAct.SHOW
    ]
    for act in acts:
        builder.button(text=_(ACT_LABELS[act]), callback_data=RoundAction(rid=round_.id, act=act.value))  # type: ignore[arg-type]
    if not acts:
        return None
    builder.adjust(1)
    return builder.as_markup()


def ballot(
    round_: SelectionRound, candidates: list[RoundCandidate], choices: dict, page: int = 0
) -> InlineKeyboardMarkup:
    """The choices of the candidates on `page`, the pages around it when there are several, and
    the submit button (the ballot is one, whichever page it is submitted from)."""
    builder = InlineKeyboardBuilder()
    rid = round_.id
    sizes: list[int] = []
    shown = ballot_pages(round_, candidates)
    page = min(max(page, 0), len(shown) - 1)
    if Mode(round_.mode) is Mode.APPROVAL:
        for candidate in shown[page]:
            mark = "☑" if choices.get(candidate.code) else "☐"
            builder.button(
                text=f"{mark} {candidate.code} {candidate.title[:20]}",
                callback_data=Toggle(rid=rid, code=candidate.code),
            )
            sizes.append(1)
    else:
        for candidate in shown[page]:
            current = choices.get(candidate.code)
            for mark, label in MARK_LABELS.items():
                shown_mark = f"{candidate.code} {_(label)}"
                shown_mark = f"● {shown_mark}" if current == mark else shown_mark
                builder.button(text=shown_mark, callback_data=Mark(rid=rid, code=candidate.code, mark=mark))
            sizes.append(3)
    turns = [(page - 1, _(PREVIOUS_PAGE)), (page + 1, _(NEXT_PAGE))]
    turns = [(to, label) for to, label in turns if 0 <= to < len(shown)]
    for to, label in turns:
        builder.button(text=label, callback_data=BallotPage(rid=rid, page=to))
    if turns:
        sizes.append(len(turns))
    builder.button(text=_("提交选票"), callback_data=BallotStep(rid=rid, act="submit"))
    sizes.append(1)
    builder.adjust(*sizes)
    return builder.as_markup()


def confirm_ballot(round_: SelectionRound, fp: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("确认提交（提交后不能更改）"),
        callback_data=ConfirmBallot(rid=round_.id, act="confirm", fp=fp),  # type: ignore[arg-type]
    )
    builder.button(text=_("返回修改"), callback_data=BallotStep(rid=round_.id, act="back"))
    builder.adjust(1)
    return builder.as_markup()


class PaperDeputy(CallbackData, prefix="pd"):
    rid: Int
    did: Int


class PaperCheck(CallbackData, prefix="pc"):
    eid: Int


def paper_deputies(round_: SelectionRound, deputies: list) -> InlineKeyboardMarkup:  # type: ignore[type-arg]
    builder = InlineKeyboardBuilder()
    for deputy in deputies:
        builder.button(text=deputy.name, callback_data=PaperDeputy(rid=round_.id, did=deputy.id))
    builder.adjust(2)
    return builder.as_markup()


def paper_pending(entries: list) -> InlineKeyboardMarkup:  # type: ignore[type-arg]
    builder = InlineKeyboardBuilder()
    for entry, deputy in entries:
        builder.button(text=deputy.name, callback_data=PaperCheck(eid=entry.id))
    builder.adjust(2)
    return builder.as_markup()


class CandidateCard(CallbackData, prefix="cc"):
    rid: Int
    code: str


def candidate_cards(round_: SelectionRound, candidates: list[RoundCandidate]) -> list[InlineKeyboardMarkup]:
    """The 预先审议's buttons, one keyboard for each of its messages (round_texts.pre_review_texts)."""
    keyboards = []
    for page in pages(candidates, 1):
        builder = InlineKeyboardBuilder()
        for candidate in page:
            builder.button(
                text=f"{candidate.code} {candidate.title[:24]}",
                callback_data=CandidateCard(rid=round_.id, code=candidate.code),
            )
        builder.adjust(1)
        keyboards.append(builder.as_markup())
    return keyboards

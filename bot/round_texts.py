"""How selection rounds read in chat (call inside an i18n context)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, tzinfo

from aiogram.utils.i18n import gettext as _

from bot.common_texts import CATEGORY_LINE, DRAFT, NOT_NOW, PUBLISHED, SCHEDULED, STATUS_LINE
from bot.db.models import CandidateItem, RoundCandidate, SelectionRound
from bot.presenters import category_name
from core.limits import MAX_BUTTONS, MAX_TEXT, shorten, visible_length
from core.results import RoundResult
from core.safe_html import esc
from core.tally import Mode, Problem, margin_bounds
from core.text import N_

STATUS = {
    "draft": DRAFT,
    "scheduled": SCHEDULED,
    "open": N_("投票中"),
    "closed": N_("已结束"),
    "published": PUBLISHED,
}


def when(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "—"


def mode_label(mode: str) -> str:
    return _("赞成制") if mode == Mode.APPROVAL.value else _("赞成/反对/弃权")


# A line of a list of candidates: the line, given the candidate's title as shown (escaped). A
# list too long for one message shows the titles shorter and shorter, then none (the codes stay),
# then only its head (issue 14: texts fit by construction; the stored titles are never cut).
Row = Callable[[str], str]
TITLE_BUDGETS = (None, 120, 80, 48, 24, 12, 0)
# Candidates on one page of a ballot (or one message of the 预先审议) whose buttons do not all fit
# one keyboard: 30 yes/no/abstain candidates are 90 buttons, with room for the page and submit rows.
PAGE = 30
MORE_ROWS = N_("……另有 {count} 行未列出")
ERRORS_SHOWN = 10  # the card's configuration errors (one is enough to fix first)


def row(template: Callable[[str], str], title: str) -> tuple[str, Row]:
    return title, template


def fixed(line: str) -> tuple[str, Row]:
    """A line that shows no candidate's title (a category heading, a section's heading)."""
    return "", lambda _title: line


def fitted(head: list[str], rows: list[tuple[str, Row]], tail: list[str], limit: int = MAX_TEXT) -> str:
    """`head`, the rows and `tail` in one message of at most `limit` visible UTF-16 units: the
    titles whole when they fit, else shortened alike, else left out; a list too long even as
    codes shows its first rows and how many more there are."""

    def render(budget: int | None, shown: list[tuple[str, Row]], more: int = 0) -> str:
        lines = [line(esc(title if budget is None else shorten(title, budget))) for title, line in shown]
        if more:
            lines.append(_(MORE_ROWS).format(count=more))
        return "\n".join([*head, *lines, *tail])

    for budget in TITLE_BUDGETS:
        text = render(budget, rows)
        if visible_length(text) <= limit:
            return text
    low, high = 0, len(rows)  # the most rows that fit: at least `low`, fewer than `high`
    while low + 1 < high:
        middle = (low + high) // 2
        fits = visible_length(render(0, rows[:middle], len(rows) - middle)) <= limit
        low, high = (middle, high) if fits else (low, middle)
    return render(0, rows[:low], len(rows) - low)


def in_order(candidates: list[RoundCandidate]) -> list[RoundCandidate]:
    return sorted(candidates, key=lambda c: (c.category, int(c.code[1:])))


def by_category(candidates: list[RoundCandidate]) -> list[tuple[str, Row]]:
    rows: list[tuple[str, Row]] = []
    current = None
    for candidate in in_order(candidates):
        if candidate.category != current:
            current = candidate.category
            rows.append(fixed(f"【{category_name(current)}】"))
        special = _("（特定征集）") if candidate.origin == "special" else ""
        rows.append(
            row(
                lambda title, code=candidate.code, special=special: f"{code} {title}{special}",
                candidate.title,
            )
        )
    return rows


def pages(candidates: list[RoundCandidate], buttons_each: int) -> list[list[RoundCandidate]]:
    """The candidates in pages (in category order) of `PAGE` when one keyboard of `buttons_each`
    buttons a candidate, with a row to spare, cannot hold them all; one page when it can."""
    if len(candidates) * buttons_each < MAX_BUTTONS:
        return [list(candidates)]
    ordered = in_order(candidates)
    return [ordered[start : start + PAGE] for start in range(0, len(ordered), PAGE)]


def ballot_pages(round_: SelectionRound, candidates: list[RoundCandidate]) -> list[list[RoundCandidate]]:
    return pages(candidates, 1 if Mode(round_.mode) is Mode.APPROVAL else len(MARK_LABELS))


def page_of(round_: SelectionRound, candidates: list[RoundCandidate], code: str) -> int:
    """The ballot page showing the candidate `code` (the first page for a code not in the round)."""
    found = (n for n, page in enumerate(ballot_pages(round_, candidates)) if code in {c.code for c in page})
    return next(found, 0)


PROBLEMS = {
    "quota": N_("应选项目数至少为 1（现在是 {quota}）"),
    "electorate": N_("代表人数至少为 1（现在是 {electorate}）"),
    "margin": N_(
        "{count} 个候选项目选 {quota} 项：候选项目须在 {low} 到 {high} 项之间（应选数的 1.2 到 1.5 倍）"
    ),
    "duplicate": N_("候选编号 {id} 重复"),
    "category": N_("候选项目 {id} 的类别 {category} 不在十个类别之中"),
    "special_share": N_("特定征集项目只有 {special}/{count} 项，不到规定的最低比例"),
}


def problem_text(problem: Problem) -> str:
    template = PROBLEMS.get(problem.code)
    return _(template).format(**problem.values) if template else problem.text


def ballot_issue(round_: SelectionRound, candidates: list[RoundCandidate], choices: dict) -> str:
    """Why a ballot cannot be submitted yet, in the reader's language."""
    if Mode(round_.mode) is Mode.APPROVAL:
        chosen = {code for code, on in choices.items() if on}
        if len(chosen) > round_.quota:
            return _("赞成了 {chosen} 项，超过应选数 {quota}").format(chosen=len(chosen), quota=round_.quota)
        missing = sorted(
            {c.category for c in candidates} - {c.category for c in candidates if c.code in chosen}
        )
        if missing and round_.parent_id is None:
            return _("每类至少赞成一项，尚缺：{categories}").format(
                categories="、".join(category_name(c) for c in missing)
            )
    unmarked = [c.code for c in candidates if c.code not in choices]
    if Mode(round_.mode) is not Mode.APPROVAL and unmarked:
        return _("还有 {count} 个候选项目没有标记").format(count=len(unmarked))
    return _("选票不符合规则")


def round_card(
    round_: SelectionRound,
    candidates: list[RoundCandidate],
    errors: list[Problem],
    tz: tzinfo,
    *,
    notes: str = "",
    result: RoundResult | None = None,
) -> str:
    """The office's card of a round: its settings, its candidates, what keeps it from opening,
    then `notes` (the deputies a chat ballot cannot reach) and the count once there is one."""
    head = [
        f"<b>#{round_.id} {esc(round_.title)}</b>",
        _("年度：{year} · 应选 {quota} 项 · {mode}").format(
            year=round_.year, quota=round_.quota, mode=mode_label(round_.mode)
        ),
        _(STATUS_LINE).format(status=_(STATUS.get(round_.status, round_.status))),
        _("开放：{opens} · 关闭：{closes}").format(
            opens=when(round_.opens_at, tz), closes=when(round_.closes_at, tz)
        ),
        "",
        _("候选项目 {count} 项（群众建议 {pool} 项，特定征集 {special} 项）：").format(
            count=len(candidates),
            pool=sum(c.origin != "special" for c in candidates),
            special=sum(c.origin == "special" for c in candidates),
        ),
    ]
    tail = []
    if errors:
        tail = ["", _("⚠️ 配置有误，不能开放：")]
        tail += [f"• {esc(problem_text(error))}" for error in errors[:ERRORS_SHOWN]]
    if len(errors) > ERRORS_SHOWN:
        tail.append(_(MORE_ROWS).format(count=len(errors) - ERRORS_SHOWN))
    after = notes
    if result is not None:
        count = results_text(round_, candidates, result)
        if visible_length(count) > MAX_TEXT // 2:  # both lists long: each gets half the message
            count = results_text(round_, candidates, result, limit=MAX_TEXT // 2 - visible_length(notes) - 2)
        after += "\n\n" + count
    return fitted(head, by_category(candidates), tail, MAX_TEXT - visible_length(after)) + after


def quota_prompt(items: list[CandidateItem]) -> str:
    special = sum(1 for item in items if item.origin == "special")
    lows = [
        quota
        for quota in range(1, len(items) + 1)
        if margin_bounds(quota)[0] <= len(items) <= margin_bounds(quota)[1]
    ]
    allowed = f"{lows[0]}–{lows[-1]}" if lows else "—"
    return _(
        "候选事项 {count} 项（群众建议 {pool} 项，特定征集 {special} 项）。\n"
        "请发送应选项目数（按差额 20%–50% 的要求，可选 {allowed}）："
    ).format(count=len(items), pool=len(items) - special, special=special, allowed=allowed)


def ballot_text(
    round_: SelectionRound, candidates: list[RoundCandidate], choices: dict, tz: tzinfo, page: int = 0
) -> str:
    """A deputy's ballot: the rules and how far the choices keep them, then the candidates of
    `page` (every candidate on one page unless the keyboard cannot hold them all)."""
    head = [
        f"<b>{esc(round_.title)}</b>",
        _("关闭时间：{closes}").format(closes=when(round_.closes_at, tz)),
    ]
    if Mode(round_.mode) is Mode.APPROVAL:
        chosen = {code for code, on in choices.items() if on}
        covered = {c.category for c in candidates if c.code in chosen}
        # A runoff decides among tied candidates: no category has to be covered.
        missing = [] if round_.parent_id else sorted({c.category for c in candidates} - covered)
        line = _("已选 {chosen}/{quota}").format(chosen=len(chosen), quota=round_.quota)
        if missing:
            line += _(" · 尚缺：{categories}").format(categories="、".join(category_name(c) for c in missing))
        rule = (
            _("最多赞成 {quota} 项。").format(quota=round_.quota)
            if round_.parent_id
            else _("每类至少赞成一项，总数不超过应选数。")
        )
        head += [line, rule]
    else:
        marked = sum(1 for c in candidates if c.code in choices)
        head += [
            _("已标记 {marked}/{total}：每个候选项目都要选赞成、反对或弃权。").format(
                marked=marked, total=len(candidates)
            )
        ]
    shown = ballot_pages(round_, candidates)
    page = min(max(page, 0), len(shown) - 1)
    tail = (
        [
            "",
            _(
                "第 {page}/{pages} 页（每页 {size} 项，共 {count} 项）：用下方按钮翻页，每页都可以提交。"
            ).format(page=page + 1, pages=len(shown), size=PAGE, count=len(candidates)),
        ]
        if len(shown) > 1
        else []
    )
    return fitted([*head, ""], by_category(shown[page]), tail)


def results_text(
    round_: SelectionRound, candidates: list[RoundCandidate], result: RoundResult, limit: int = MAX_TEXT
) -> str:
    """The count as deputies and the office read it (DESIGN.md "Selection round 项目票决"):
    turnout, then the elected, the tie and its seats or the empty seats, the others; a missed
    quorum voids the round. `candidates`: the round's, to name each code (KeyError for a code
    not among them). At most `limit` visible units: long titles are shortened."""
    titles = {c.code: c for c in candidates}
    turnout, electorate = result.turnout, round_.electorate or 0
    head = [
        _("<b>{title}</b> 票决结果").format(title=esc(round_.title)),
        _("投票 {turnout}/{electorate} 人，无效票 {invalid} 张。").format(
            turnout=turnout, electorate=electorate, invalid=result.invalid_ballots
        ),
    ]
    if not result.quorum_met:
        head.append(_("投票人数不足全体代表的三分之二，本轮票决无效，没有项目当选。"))
        return "\n".join(head)

    def line(code: str) -> tuple[str, Row]:
        candidate = titles[code]
        return row(
            lambda title: _("{code} {title}（{category}）— 赞成 {yes}").format(
                code=code, title=title, category=category_name(candidate.category), yes=result.yes(code)
            ),
            candidate.title,
        )

    rows = [
        fixed(""),
        fixed(
            _("<b>当选项目</b>（{count}/{quota}）：").format(count=len(result.elected), quota=round_.quota)
        ),
    ]
    rows += [line(code) for code in result.elected]
    if result.tied:
        rows += [
            fixed(""),
            fixed(_("<b>票数相同、需加赛</b>（剩余 {seats} 席）：").format(seats=result.seats_left)),
        ]
        rows += [line(code) for code in result.tied]
    elif result.seats_left:
        rows += [
            fixed(""),
            fixed(_("有 {seats} 席无项目获全体代表过半数赞成，空缺。").format(seats=result.seats_left)),
        ]
    others = [code for code in result.ranking if code not in result.elected and code not in result.tied]
    if others:
        rows += [fixed(""), fixed(_("未当选："))] + [line(code) for code in others]
    return fitted(head, rows, ["", _("核对自己的选票：发送 /check 回执码。")], limit)


def candidate_card(candidate: RoundCandidate, item: CandidateItem | None, tracking_code: str | None) -> str:
    """What a deputy reads before the vote: origin, category, estimated cost, department."""
    origin = (
        _("特定征集（政府计划投资项目）")
        if candidate.origin == "special"
        else _("群众建议 {tracking}").format(tracking=tracking_code or "")
    )
    return "\n".join(
        [
            f"<b>{candidate.code} {esc(candidate.title)}</b>",
            _(CATEGORY_LINE).format(category=category_name(candidate.category)),
            _("来源：{origin}").format(origin=origin),
            _("承办部门：{department}").format(department=esc((item.department if item else None) or "—")),
            _("估算投资：{cost}").format(cost=esc((item.estimated_cost if item else None) or "—")),
        ]
    )


# A ballot's marks in a 赞成/反对/弃权 round, as the ballot's buttons, the confirmation and the results name them.
MARK_LABELS = {"yes": N_("赞成"), "no": N_("反对"), "abstain": N_("弃权")}


def not_ready(round_: SelectionRound, candidates: list[RoundCandidate], choices: dict) -> str:
    """The alert on submitting a ballot that breaks a rule."""
    return _("选票还不能提交：{reason}").format(reason=ballot_issue(round_, candidates, choices))


def confirmation_text(
    round_: SelectionRound, candidates: list[RoundCandidate], choices: dict, changed: bool
) -> str:
    """The confirmation screen: the ballot's choices, asked again when they changed since."""
    titles = {c.code: c for c in candidates}
    if Mode(round_.mode) is Mode.APPROVAL:
        summary = [
            row(lambda title, code=code: f"☑ {code} {title}", titles[code].title)
            for code, on in sorted(choices.items())
            if on
        ]
    else:
        summary = [
            row(lambda title, code=code, m=m: f"{code} {title}：{_(MARK_LABELS[m])}", titles[code].title)
            for code, m in sorted(choices.items())
        ]
    head = _("您的选票在确认页面显示之后有改动，请再次确认：") if changed else _("请确认您的选票：")
    return fitted([head], summary, [])


def ballot_refusal_text(code: str, round_: SelectionRound, tz: tzinfo) -> str:
    """Why a deputy's ballot was not taken, in the reader's language."""
    if code == "voted":
        return _("您已经投过票了：选票一经提交不能更改。")
    if code == "late":
        return _("投票已于 {closes} 截止，您的选票没有计入。").format(closes=when(round_.closes_at, tz))
    if code == "not_elector":
        return _("您不在这一轮的选民名单中：名单在投票开放时确定。")
    return _("这一轮投票已经结束。")


def cast_text(receipt: str) -> str:
    return _(
        "✅ 选票已提交。回执码：<code>{receipt}</code>\n"
        "请保存回执码：结果公布后，可以用它核对您的选票已被计入。"
    ).format(receipt=receipt)


# -- paper ballots: entered twice, by two admins --------------------------------------------------
PAPER_HELP = N_("赞成制：写出赞成的编号，例如 c1 c4 c7；赞成/反对/弃权：例如 c1 赞成 c2 反对 c3 弃权")
PAPER_SAME_ADMIN = N_("核对须由另一位管理员进行。")
ENTRY_SHOWN = 1800  # each of two differing entries, side by side in one message


def paper_refusal(
    code: str, round_: SelectionRound, candidates: list[RoundCandidate], choices: dict, tz: tzinfo
) -> str:
    """Why a paper ballot's entry was not taken, for the admin who typed it."""
    if code == "invalid":
        return _("选票无效：{reason}").format(reason=ballot_issue(round_, candidates, choices))
    texts = {
        "voted": _("这位代表已经投过票了：每位代表只能投一次。"),
        "closed": _("这一轮投票已经结束。"),
        "late": _("投票已于 {closes} 截止，这张选票没有计入。").format(closes=when(round_.closes_at, tz)),
        "not_elector": _("这位代表不在本轮开放时确定的选民名单中。"),
        "pending": _("这位代表的纸质选票已录入，正等待核对。"),
        "same_admin": _(PAPER_SAME_ADMIN),
        "checked": _("这张纸质选票已由另一位管理员核对过了。"),
    }
    return texts.get(code, _(NOT_NOW))


def paper_checked(receipt: str | None, first: str, choices: dict) -> str:
    """The second entry's outcome: counted with its receipt, or both entries shown when they differ."""
    if receipt is None:
        return _(
            "两次录入不一致，这张选票没有计入。请重新录入并核对：\n第一次：{first}\n第二次：{second}"
        ).format(  # JSON of checked codes and marks: nothing to escape
            first=shorten(first, ENTRY_SHOWN),
            second=shorten(json.dumps(choices, sort_keys=True), ENTRY_SHOWN),
        )
    return _("两次录入一致，纸质选票已计入。回执码：<code>{receipt}</code>").format(receipt=receipt)


# What the clock and the outbox tell about a round (bot/notices/rounds.py, bot/runtime/scheduler.py).
UNREACHABLE_ELECTORS = N_(
    "⚠️ 以下 {count} 位代表无法在聊天中收到选票（未启动机器人或已屏蔽），请为他们准备纸质选票：{names}"
)
BALLOT_SENT = N_("🗳 {title} 开始投票了。")
OPENED_TO_OFFICE = N_("📣 {title} 已开放投票，选民 {electorate} 人。")
MISSED_OPENING = N_(
    "⚠️ {title} 原定 {opens} 开放，但当时系统未运行，没有开放。请在 /rounds 重新设置开放和关闭时间。"
)
CLOSED_TO_OFFICE = N_("{title} 投票已结束，请在 /rounds 查看结果并公布。")
PRE_REVIEW = N_("📋 预先审议：{title} 将于 {opens} 开始投票。候选项目如下（点编号看详情）：")
PRE_REVIEW_PAGE = N_("（第 {page}/{pages} 条，共 {count} 个候选项目）")


def pre_review_texts(round_: SelectionRound, candidates: list[RoundCandidate], tz: tzinfo) -> list[str]:
    """预先审议: one message for each page of candidates their buttons need (one for most rounds)."""
    shown = pages(candidates, 1)
    head = _(PRE_REVIEW).format(title=esc(round_.title), opens=when(round_.opens_at, tz))
    if len(shown) == 1:
        return [fitted([head, ""], by_category(candidates), [])]
    return [
        fitted(
            [head, _(PRE_REVIEW_PAGE).format(page=n, pages=len(shown), count=len(candidates)), ""],
            by_category(page),
            [],
        )
        for n, page in enumerate(shown, start=1)
    ]


VOTE_REMINDER = N_("⏰ 提醒：{title} 将于 {closes} 结束投票，您还没有投票。")

# The office's prompt for a round's opening and closing times.
TIMES_PROMPT = N_("请发送开放和关闭时间（{tz}），例如：\n2027-01-04 09:00 2027-01-04 17:00")

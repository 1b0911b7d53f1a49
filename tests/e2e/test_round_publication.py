"""Publishing a selection round with residents' suggestions among the candidates (issue 18):
the suggestions nominated from the district pool move to 票决通过 / 未当选, and their authors and
followers are told; the 特定征集 items beside them move nothing."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col

from bot.db.models import CandidateItem, RoundCandidate, SelectionRound, StaffMember, Suggestion
from bot.sandbox.session import Sandbox
from bot.services.container import Services
from bot.services.suggestions import tracking
from bot.web.board import Board, build_board_app
from tests.conftest import ADMIN_ID, seed_areas_and_roster
from tests.e2e.steps import (
    DEPUTIES,
    ROSTER,
    cast_ballot,
    create_round,
    draft_suggestion,
    round_card,
    rows,
    schedule_round,
    submit_suggestion,
    triage,
)

STAFF = 3001
AUTHOR_A, FOLLOWER_A, AUTHOR_B = 1001, 1003, 1005
TEXT_A = "希望社区开设老年食堂，方便独居老人吃饭"
TEXT_B = "希望在社区增设电动自行车充电桩，方便居民充电"
SPECIALS = [
    ("新建社区长者饭堂", "eldercare"),
    ("增设公交微循环线路", "transport"),
    ("改造社区公园", "environment"),
    ("扩建社区健康服务中心", "eldercare"),
    ("新增公共停车位", "transport"),
    ("整治河道黑臭水体", "environment"),
]


async def to_candidate(sandbox: Sandbox, suggestion: Suggestion) -> None:
    """A deputy sends it to the district pool, the staff find it feasible, the admin nominates it."""
    await triage(sandbox, DEPUTIES[0], "报区人大常委会")
    [pool] = await sandbox.say(STAFF, "/pool")
    label = next(label for row in pool.buttons for label in row if tracking(suggestion) in label)
    await sandbox.press(STAFF, label)
    await sandbox.press(STAFF, "论证可行")
    [listing] = await sandbox.say(ADMIN_ID, "/candidates")
    label = next(label for row in listing.buttons for label in row if tracking(suggestion) in label)
    await sandbox.press(ADMIN_ID, label)
    await sandbox.press(ADMIN_ID, "列为候选项目")
    await sandbox.press(ADMIN_ID, "用这个标题")
    [moved] = await rows(sandbox, Suggestion, Suggestion.id == suggestion.id)
    assert moved.state == "candidate"


async def test_publishing_moves_nominated_suggestions_and_tells_their_followers(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox, ROSTER)
    async with sandbox.runtime.session_factory() as session:
        session.add(
            StaffMember(
                telegram_id=STAFF, name="赵科长", department="区民政局", created_at=sandbox.clock.now()
            )
        )
        await session.commit()
    for person, name in [(d, f"代表{d}") for d in DEPUTIES] + [(STAFF, "赵科长"), (ADMIN_ID, "办公室")]:
        await sandbox.say(person, "/start", name=name)

    # Two residents' suggestions; a third resident writes the first one again and follows it.
    a = await submit_suggestion(sandbox, AUTHOR_A, TEXT_A)
    asked = await draft_suggestion(sandbox, FOLLOWER_A, TEXT_A)
    shown = await sandbox.press(FOLLOWER_A, asked.buttons[0][0])  # type: ignore[index]
    offer = shown[-1]
    follow = f"👀 关注 {tracking(a)}"
    assert [follow] in offer.buttons, offer.buttons
    [followed] = await sandbox.press(FOLLOWER_A, follow)
    assert followed.text.startswith(f"好的，您已关注 <b>{tracking(a)}</b>")
    await to_candidate(sandbox, a)
    b = await submit_suggestion(sandbox, AUTHOR_B, TEXT_B)
    await to_candidate(sandbox, b)

    # The 特定征集 items beside them, so every category on the ballot has more than one candidate.
    [a, b] = await rows(sandbox, Suggestion, col(Suggestion.id).in_([a.id, b.id]))
    year = sandbox.clock.now().year + 1
    async with sandbox.runtime.session_factory() as session:
        services = Services(session, sandbox.clock, sandbox.settings)
        extra = [(f"{a.category}类特定项目", a.category), (f"{b.category}类特定项目", b.category)]
        for title, category in SPECIALS[: 7 - len(extra)] + extra:
            await services.rounds.add_item(year, title, category, "special")
        await session.commit()

    summary, _modes, _card = await create_round(sandbox)
    assert "候选事项 9 项（群众建议 2 项，特定征集 7 项）" in summary.text, summary.text
    opens, closes = await schedule_round(sandbox)
    await sandbox.advance_clock(opens)
    [round_] = await rows(sandbox, SelectionRound)
    assert round_.status == "open"

    # Four of six approve seven candidates: A and six 特定征集 items, never B.
    candidates = await rows(sandbox, RoundCandidate, RoundCandidate.round_id == round_.id)
    items = {i.id: i for i in await rows(sandbox, CandidateItem)}
    code_of = {items[c.item_id].suggestion_id: c.code for c in candidates if items[c.item_id].suggestion_id}
    assert set(code_of) == {a.id, b.id}
    specials = [c for c in candidates if items[c.item_id].origin == "special"]
    dropped = next(
        c
        for c in specials
        if any(o is not c and items[o.item_id].category == items[c.item_id].category for o in specials)
    )
    approved = [code_of[a.id]] + [c.code for c in specials if c is not dropped]
    assert len(approved) == 7 and code_of[b.id] not in approved
    for deputy in DEPUTIES[:4]:
        await cast_ballot(sandbox, deputy, round_.id, approved)

    # Closed: nothing moves before publication.
    await sandbox.advance_clock(closes)
    states = {s.id: s.state for s in await rows(sandbox, Suggestion, col(Suggestion.id).in_([a.id, b.id]))}
    assert states == {a.id: "candidate", b.id: "candidate"}
    card = await round_card(sandbox, round_)
    assert "<b>当选项目</b>（7/7）" in card.text, card.text
    shown = await sandbox.press(ADMIN_ID, "公布结果")

    states = {s.id: s.state for s in await rows(sandbox, Suggestion, col(Suggestion.id).in_([a.id, b.id]))}
    assert states == {a.id: "elected", b.id: "not_elected"}
    told = {}
    for s in shown:
        if s.method == "sendMessage" and ("有新进展" in s.text):
            told.setdefault(s.to, []).append(s.text)
    # The author and the follower of A hear it was elected; B's author hears it was not; nobody else.
    assert set(told) == {AUTHOR_A, FOLLOWER_A, AUTHOR_B}, told
    [to_author_a] = told[AUTHOR_A]
    [to_follower_a] = told[FOLLOWER_A]
    [to_author_b] = told[AUTHOR_B]
    assert to_author_a.startswith(f"您的建议 <b>{tracking(a)}</b> 有新进展：") and "票决通过" in to_author_a
    assert (
        to_follower_a.startswith(f"您关注的建议 <b>{tracking(a)}</b> 有新进展：")
        and "票决通过" in to_follower_a
    )
    assert to_author_b.startswith(f"您的建议 <b>{tracking(b)}</b> 有新进展：") and "未当选" in to_author_b
    assert "票决通过" not in to_author_b

    # The public board counts the ballots cast: four of six deputies.
    runtime = sandbox.runtime
    client = TestClient(
        TestServer(build_board_app(Board(runtime.session_factory, runtime.i18n, runtime.settings, None)))
    )
    await client.start_server()
    try:
        [published] = (await (await client.get("/api/rounds")).json())["rounds"]
        page = await (await client.get("/results")).text()
    finally:
        await client.close()
    assert (published["voters"], published["electorate"]) == (4, 6)
    assert "投票 4/6 人" in page

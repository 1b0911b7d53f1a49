"""A selection round end to end: configuration, schedule, ballots, reminders, closing, results."""

from __future__ import annotations

import asyncio
import csv
import re
from datetime import timedelta

from sqlmodel import select

from bot.db.models import BallotDraft, CastBallot, RoundCandidate, RoundVoter
from bot.sandbox.session import Sandbox
from bot.services.container import Services
from bot.services.rounds import digest_of
from bot.services.users import TelegramPerson
from core.rounds import fingerprint
from core.tally import Mode
from tests.conftest import ADMIN_ID, seed_areas_and_roster, shows_id
from tests.e2e import steps
from tests.e2e.steps import (
    DEPUTIES,
    ITEMS,
    ROSTER,
    cast_ballot,
    prepare_round,
    round_card,
    run_round,
    schedule_round,
    the_round,
)


async def create_round(sandbox: Sandbox, quota: str = "7") -> None:
    """steps.create_round, checking the screens on the way: the nine 特定征集 items, both modes."""
    summary, modes, _card = await steps.create_round(sandbox, quota)
    assert "候选事项 9 项（群众建议 0 项，特定征集 9 项）" in summary.text and "可选 6–7" in summary.text
    assert modes.buttons == [["赞成制（只投赞成）"], ["赞成 / 反对 / 弃权"]]


async def test_a_whole_round(sandbox: Sandbox) -> None:
    await prepare_round(sandbox)
    # A configuration error is shown, then fixed.
    await create_round(sandbox, quota="10")
    card = sandbox.shown[-1]
    assert (
        "⚠️ 配置有误，不能开放：" in card.text
        and "9 个候选项目选 10 项：候选项目须在 12 到 15 项之间" in card.text
    )
    assert card.buttons == [["修改应选数"]]
    await sandbox.press(ADMIN_ID, "修改应选数")
    [card] = await sandbox.say(ADMIN_ID, "7")
    assert "应选 7 项" in card.text and "⚠️" not in card.text
    assert card.buttons == [["修改应选数"], ["设置开放和关闭时间"]]
    opens, closes = await schedule_round(sandbox)

    # A week before: the candidate materials (预先审议).
    shown = await sandbox.advance_clock(opens - timedelta(days=6))
    assert {s.to for s in shown if s.text.startswith("📋 预先审议")} == set(DEPUTIES)
    # Opening at the scheduled time: every deputy gets a ballot.
    shown = await sandbox.advance_clock(opens)
    ballots = {s.to: s for s in shown if s.text.startswith("🗳")}
    assert set(ballots) == set(DEPUTIES)
    assert "已选 0/7 · 尚缺：" in ballots[2001].text
    assert (await the_round(sandbox)).electorate == 6

    # 2001 picks too few categories: refused live, then completes the ballot.
    round_ = await the_round(sandbox)
    first = next(label for row in ballots[2001].buttons for label in row if label.startswith("☐ c1 "))
    [toggled] = await sandbox.press(2001, first)
    assert "已选 1/7 · 尚缺：" in toggled.text and toggled.buttons[0][0].startswith("☑ c1 ")
    [refused] = await sandbox.press(2001, "提交选票")
    assert refused.alert and refused.text == "选票还不能提交：每类至少赞成一项，尚缺：环境提升、交通出行"
    await sandbox.press(2001, data=f"bt:{round_.id}:c4")
    [complete] = await sandbox.press(2001, data=f"bt:{round_.id}:c7")
    assert "已选 3/7" in complete.text and "尚缺" not in complete.text
    [confirm] = await sandbox.press(2001, "提交选票")
    assert confirm.text.startswith("请确认您的选票：") and confirm.buttons[0] == [
        "确认提交（提交后不能更改）"
    ]
    [receipt] = await sandbox.press(2001, "确认提交（提交后不能更改）")
    assert receipt.text.startswith("✅ 选票已提交。回执码：<code>")
    code = receipt.text.split("<code>")[1].split("</code>")[0]
    round_ = await the_round(sandbox)
    async with sandbox.runtime.session_factory() as session:
        stored = (await session.exec(select(CastBallot))).all()
        assert [b.receipt_hash for b in stored] == [digest_of(round_.id, round_.receipt_key, code)]
        assert len((await session.exec(select(RoundVoter))).all()) == 1
        assert (await session.exec(select(BallotDraft))).all() == []
    # A second submission (a double click, a forged press) records nothing more.
    [again] = await sandbox.press(2001, data=f"bs:{round_.id}:confirm")
    assert again.alert and again.text.startswith("您已经投过票了")

    # Four more vote (quorum: 2/3 of 6 = 4); one does not.
    for deputy in (2002, 2003, 2004):
        await cast_ballot(sandbox, deputy, round_.id, ("c1", "c2", "c3", "c4", "c5", "c7", "c8"))
    # The admin watches turnout, never partial results.
    await round_card(sandbox, round_)
    [turnout] = await sandbox.press(ADMIN_ID, "投票率")
    assert turnout.text == "已投票 4/6 人。" and turnout.alert

    # A day before closing, those who have not voted are reminded (once).
    shown = await sandbox.advance_clock(closes - timedelta(hours=23))
    reminded = {s.to for s in shown if s.text.startswith("⏰ 提醒")}
    assert reminded == {2005, 2006}
    shown = await sandbox.advance_clock(closes - timedelta(hours=22))
    assert not [s for s in shown if s.text.startswith("⏰ 提醒")]

    # Closing at the scheduled time; the admin publishes; deputies get results and a chart.
    shown = await sandbox.advance_clock(closes)
    assert any(s.to == ADMIN_ID and "投票已结束" in s.text for s in shown)
    card = await round_card(sandbox, round_)
    assert "投票 4/6 人，无效票 0 张。" in card.text and "<b>当选项目</b>（7/7）" in card.text
    shown = await sandbox.press(ADMIN_ID, "公布结果")
    # The chart is uploaded once, then sent again by its file id; the results are its caption.
    charts = [s for s in shown if s.to in DEPUTIES and s.method == "sendPhoto"]
    assert len(charts) == 6 and all("当选项目" in s.text for s in charts)
    assert (await the_round(sandbox)).status == "published"
    # Once Telegram has the chart, the sender keeps its file id and lets the bytes go.
    cached = sandbox.runtime.sender.files_at_hand  # type: ignore[union-attr]
    assert cached and all(n.blob is None and n.blob_file_id for n in cached)


async def test_void_quorum_and_a_tie_with_its_runoff(sandbox: Sandbox) -> None:
    await prepare_round(sandbox)
    # Four deputies: five from everyone, then c3 from two and c6 from two: a tie for the last seat.
    ballots = {
        deputy: ("c1", "c2", "c4", "c5", "c7", extra)
        for deputy, extra in ((2001, "c3"), (2002, "c3"), (2003, "c6"), (2004, "c6"))
    }
    round_, _receipts = await run_round(sandbox, ballots, quota="6")
    card = await round_card(sandbox, round_)
    assert "<b>票数相同、需加赛</b>（剩余 1 席）" in card.text
    assert card.buttons == [["公布结果"], ["开启加赛"]]
    [runoff] = await sandbox.press(ADMIN_ID, "开启加赛")
    assert "（加赛）" in runoff.text and "应选 1 项" in runoff.text and "候选项目 2 项" in runoff.text
    assert "⚠️" not in runoff.text  # a runoff keeps no margin

    # A round that too few deputies vote in is void.
    void, _receipts = await run_round(sandbox, {}, quota="7")
    card = await round_card(sandbox, void)
    assert "本轮票决无效，没有项目当选" in card.text


async def test_many_deputies_submitting_at_once(database_url: str, data_dir) -> None:  # type: ignore[no-untyped-def]
    """Every deputy confirms at the same moment: exactly one ballot each, none lost or doubled."""
    from tests.conftest import make_settings

    # The question here is the database, not Telegram's flood limits: the local server is lenient.
    async with Sandbox(make_settings(database_url, data_dir, sandbox_rate=10_000.0)) as sandbox:
        await _many_deputies(sandbox, 200)


async def _many_deputies(sandbox: Sandbox, count: int) -> None:
    roster = "name,telegram_id,street,liaison_station\n" + "".join(
        f"代表{n},{n},莲花街道,\n" for n in range(5000, 5000 + count)
    )
    await seed_areas_and_roster(sandbox, roster)
    year = sandbox.clock.now().year + 1
    async with sandbox.runtime.session_factory() as session:
        services = Services(session, sandbox.clock, sandbox.settings)
        for title, category in ITEMS:
            await services.rounds.add_item(year, title, category, "special")
        admin, _ = await services.users.touch(TelegramPerson(ADMIN_ID, "办公室", None))
        round_ = await services.rounds.create(
            admin, year, "并发测试", Mode.APPROVAL, 7, await services.rounds.items(year)
        )
        await services.rounds.open(round_)
        for deputy, _user in await services.rounds.active_deputies():
            await services.rounds.save_draft(round_, deputy, {"c1": True, "c4": True, "c7": True})
        await session.commit()
        rid = round_.id
    world = sandbox.server.world
    fp = fingerprint(["c1", "c4", "c7"])
    people = [world.person(n, f"代表{n}") for n in range(5000, 5000 + count)]

    def everyone_confirms() -> None:
        for person in people:
            world.press(person, data=f"bs:{rid}:confirm:{fp}")
            world.press(person, data=f"bs:{rid}:confirm:{fp}")  # and a double click

    shown = await sandbox.act(everyone_confirms)
    async with sandbox.runtime.session_factory() as session:
        assert len((await session.exec(select(CastBallot))).all()) == count
        assert len((await session.exec(select(RoundVoter))).all()) == count
    receipts = [s for s in shown if s.text.startswith("✅ 选票已提交")]
    refusals = [s for s in shown if s.text.startswith("您已经投过票了")]
    assert len(receipts) == count and len(refusals) == count
    await asyncio.sleep(0)


async def test_paper_ballots_exports_and_receipt_checks(database_url: str, data_dir) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    second_admin = 9002
    async with Sandbox(
        make_settings(database_url, data_dir, admin_ids=frozenset({ADMIN_ID, second_admin}))
    ) as sandbox:
        await prepare_round(sandbox)
        await sandbox.say(second_admin, "/start", name="副主任")
        await create_round(sandbox, quota="7")
        opens, closes = await schedule_round(sandbox)
        await sandbox.advance_clock(opens)
        round_ = await the_round(sandbox)
        # Three deputies vote in chat.
        receipts = {}
        for deputy in (2001, 2002, 2003):
            receipts[deputy] = await cast_ballot(sandbox, deputy, round_.id, ("c1", "c4", "c7"))
        # 2004 votes on paper: entered by one admin, checked by the other.
        await round_card(sandbox, round_)
        [who] = await sandbox.press(ADMIN_ID, "录入纸质选票")
        assert ["代表2001"] not in who.buttons and any("代表2004" in row for row in who.buttons)
        await sandbox.press(ADMIN_ID, "代表2004")
        [invalid] = await sandbox.say(ADMIN_ID, "c1 c2")
        assert invalid.text == "选票无效：每类至少赞成一项，尚缺：环境提升、交通出行"
        await sandbox.press(ADMIN_ID, "代表2004")
        [entered] = await sandbox.say(ADMIN_ID, "c1 c5 c8")
        assert entered.text.startswith("已录入，等待另一位管理员核对")
        await sandbox.press(ADMIN_ID, "核对纸质选票")
        [same] = await sandbox.press(ADMIN_ID, "代表2004")
        assert same.alert and same.text == "核对须由另一位管理员进行。"
        # The second admin mistypes: nothing counts, and the ballot is entered anew.
        await round_card(sandbox, round_, second_admin)
        await sandbox.press(second_admin, "核对纸质选票")
        await sandbox.press(second_admin, "代表2004")
        [mismatch] = await sandbox.say(second_admin, "c1 c5 c9")
        assert mismatch.text.startswith("两次录入不一致，这张选票没有计入。")
        await sandbox.press(ADMIN_ID, "录入纸质选票")
        await sandbox.press(ADMIN_ID, "代表2004")
        await sandbox.say(ADMIN_ID, "c1 c5 c8")
        await sandbox.press(second_admin, "核对纸质选票")
        await sandbox.press(second_admin, "代表2004")
        [counted] = await sandbox.say(second_admin, "c8, c5, c1")
        assert counted.text.startswith("两次录入一致，纸质选票已计入。")
        # A paper voter cannot vote again in chat.
        [refused] = await sandbox.press(2004, data=f"bs:{round_.id}:submit")
        assert refused.alert and refused.text.startswith("您已经投过票了")
        # And a chat voter cannot be entered on paper.
        await sandbox.press(ADMIN_ID, "录入纸质选票")
        [twice] = await sandbox.press(ADMIN_ID, data=f"pd:{round_.id}:1")
        assert twice.method == "sendMessage"
        [no] = await sandbox.say(ADMIN_ID, "c1 c4 c7")
        assert no.text == "这位代表已经投过票了：每位代表只能投一次。"

        await sandbox.advance_clock(closes)
        card = await round_card(sandbox, round_)
        assert "投票 4/6 人" in card.text and "c1 新建社区长者饭堂（养老济困）— 赞成 4" in card.text
        # Before publication a receipt cannot be checked; after, it can.
        [early] = await sandbox.say(2001, f"/check {receipts[2001]}")
        assert early.text.startswith("没有在已公布的票决中找到这个回执码")
        await sandbox.press(ADMIN_ID, "公布结果")
        [checked] = await sandbox.say(2001, f"/check {receipts[2001].lower()}")
        assert checked.text.startswith(f"✅ 这张选票已计入：#{round_.id}")
        await round_card(sandbox, round_)
        shown = await sandbox.press(ADMIN_ID, "导出选票和结果")
        names = sorted(s.file for s in shown if s.method == "sendDocument")
        assert names == [
            f"round-{round_.id}-ballots.csv",
            f"round-{round_.id}-receipts.txt",
            f"round-{round_.id}-results.csv",
            f"round-{round_.id}.pb",
        ]
        files = {
            f.name: f.content.decode("utf-8")
            for f in sandbox.server.world.files.values()
            if f.name.endswith((".csv", ".pb", ".txt"))
        }
        pb = files[f"round-{round_.id}.pb"]
        assert pb.startswith("META\nkey;value\n") and "\nPROJECTS\n" in pb and "\nVOTES\n" in pb
        meta, projects, votes = read_pabulib(pb)
        assert meta["num_votes"] == "4" and meta["budget"] == "7" and meta["vote_type"] == "approval"
        assert meta["num_projects"] == str(len(projects))
        assert (
            meta["unit"] == "福田区"
            and meta["rule"] in ("greedy", "unknown")
            and re.fullmatch(r"\d\d\.\d\d\.\d{4}", meta["date_end"]) is not None
        )
        assert pabulib_errors(pb) == {}  # the format's own validator accepts it
        # Three chat ballots for c1 c4 c7 and the paper one for c1 c5 c8, voters numbered 1-4.
        assert sorted(v["voter_id"] for v in votes) == ["1", "2", "3", "4"]
        assert sorted(",".join(sorted(v["vote"].split(","))) for v in votes) == [
            "c1,c4,c7",
            "c1,c4,c7",
            "c1,c4,c7",
            "c1,c5,c8",
        ]
        votes_per_project = {p["project_id"]: p["votes"] for p in projects}
        assert {k: v for k, v in votes_per_project.items() if v != "0"} == {
            "c1": "4",
            "c4": "3",
            "c7": "3",
            "c5": "1",
            "c8": "1",
        }
        round_ = await the_round(sandbox)
        assert (
            digest_of(round_.id, round_.receipt_key, receipts[2002])
            in files[f"round-{round_.id}-receipts.txt"]
        )
        assert not shows_id(files[f"round-{round_.id}-ballots.csv"], 2001)  # anonymous
        # The results as the office opens them in Excel: BOM, CRLF, counts as numbers, the outcome.
        results = files[f"round-{round_.id}-results.csv"]
        assert results.startswith("\ufeff编号,候选项目,类别,来源,赞成,反对,弃权,结果\r\n")
        assert "\r\nc1,新建社区长者饭堂,养老济困,特定征集,4,0,0,当选\r\n" in results
        assert "\r\nc2,扩建社区健康服务中心,养老济困,特定征集,0,0,0,并列\r\n" in results
        assert len(results.splitlines()) == 1 + len(ITEMS)
        chat, paper = '"[""c1"", ""c4"", ""c7""]"\r\n', '"[""c1"", ""c5"", ""c8""]"\r\n'
        assert files[f"round-{round_.id}-ballots.csv"] == "\ufeff选票\r\n" + chat * 3 + paper


async def test_pre_review_candidate_cards(sandbox: Sandbox) -> None:
    await prepare_round(sandbox)
    async with sandbox.runtime.session_factory() as session:
        services = Services(session, sandbox.clock, sandbox.settings)
        await services.rounds.add_item(
            sandbox.clock.now().year + 1,
            "扩建社区图书馆",
            "culture",
            "special",
            department="区文化广电旅游体育局",
            estimated_cost="900万元",
        )
        await session.commit()
    await steps.create_round(sandbox)
    opens, _closes = await schedule_round(sandbox)
    shown = await sandbox.advance_clock(opens - timedelta(days=7))
    [notice] = [s for s in shown if s.to == 2001]
    assert notice.text.startswith("📋 预先审议") and len(notice.buttons) == 10
    label = next(row[0] for row in notice.buttons if "扩建社区图书馆" in row[0])
    [card] = await sandbox.press(2001, label)
    assert "类别：文体惠民" in card.text and "来源：特定征集（政府计划投资项目）" in card.text
    assert "承办部门：区文化广电旅游体育局" in card.text and "估算投资：900万元" in card.text


async def test_a_yes_no_abstain_round(sandbox: Sandbox) -> None:
    await prepare_round(sandbox)
    *_screens, card = await steps.create_round(sandbox, mode="赞成 / 反对 / 弃权")
    assert "赞成/反对/弃权" in card.text
    opens, closes = await schedule_round(sandbox)
    shown = await sandbox.advance_clock(opens)
    [ballot] = [s for s in shown if s.to == 2001 and s.text.startswith("🗳")]
    assert ballot.buttons[0] == ["c1 赞成", "c1 反对", "c1 弃权"]
    round_ = await the_round(sandbox)
    [marked] = await sandbox.press(2001, "c1 赞成")
    assert marked.buttons[0] == ["● c1 赞成", "c1 反对", "c1 弃权"] and "已标记 1/9" in marked.text
    [refused] = await sandbox.press(2001, "提交选票")
    assert refused.text == "选票还不能提交：还有 8 个候选项目没有标记"
    # Five of six vote; c1..c3 get 4 yes (a majority of 6), c4 gets 3 (exactly half: not enough);
    # 2005 says no to everything.
    for deputy in (2001, 2002, 2003, 2004, 2005):
        marks = {
            f"c{number}": "yes"
            if deputy != 2005 and (number <= 3 or (number == 4 and deputy != 2004))
            else "no"
            for number in range(1, 10)
        }
        await cast_ballot(sandbox, deputy, round_.id, marks=marks)
    [forged] = await sandbox.press(2005, data=f"bm:{round_.id}:c1:maybe")
    assert forged.alert
    await sandbox.advance_clock(closes)
    card = await round_card(sandbox, round_)
    assert "<b>当选项目</b>（3/7）" in card.text
    assert "有 4 席无项目获全体代表过半数赞成，空缺。" in card.text
    # The Pabulib file: an approval ballot of the yes marks, the full marks in the comment, and
    # the ballot that approved nothing counted there (an empty vote is not a Pabulib vote).
    await sandbox.press(ADMIN_ID, "公布结果")
    await round_card(sandbox, round_)
    await sandbox.press(ADMIN_ID, "导出选票和结果")
    [pb] = [f.content.decode("utf-8") for f in sandbox.server.world.files.values() if f.name.endswith(".pb")]
    meta, projects, votes = read_pabulib(pb)
    assert meta["vote_type"] == "approval" and meta["rule"] == "greedy-threshold"
    assert meta["min_project_score_threshold"] == "4" and meta["num_votes"] == "4"
    assert "c4 3/2/0" in meta["comment"] and "1 ballot(s) marked no candidate yes" in meta["comment"]
    assert sorted(v["vote"] for v in votes) == ["c1,c2,c3", "c1,c2,c3,c4", "c1,c2,c3,c4", "c1,c2,c3,c4"]
    assert {p["project_id"] for p in projects if p["selected"] == "1"} == {"c1", "c2", "c3"}
    assert pabulib_errors(pb) == {}


async def test_a_minimum_share_of_planned_investments(database_url: str, data_dir) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    async with Sandbox(make_settings(database_url, data_dir, special_min_share=0.3)) as sandbox:
        await seed_areas_and_roster(sandbox, ROSTER)
        year = sandbox.clock.now().year + 1
        async with sandbox.runtime.session_factory() as session:
            services = Services(session, sandbox.clock, sandbox.settings)
            for number, (title, category) in enumerate(ITEMS):
                await services.rounds.add_item(year, title, category, "special" if number < 2 else "pool")
            admin, _new = await services.users.touch(TelegramPerson(ADMIN_ID, "办公室", None))
            round_ = await services.rounds.create(
                admin, year, "比例", Mode.APPROVAL, 7, await services.rounds.items(year)
            )
            problems = await services.rounds.check(round_)
        assert [p.code for p in problems] == ["special_share"]
        assert problems[0].values["special"] == 2 and problems[0].values["count"] == 9


def pabulib_errors(text: str) -> dict:  # type: ignore[type-arg]
    """What the format's own validator (the pabulib-checker package) finds wrong with a file."""
    from pabulib.checker import Checker

    result = Checker().process_files([text])
    assert result["metadata"]["processed"] == 1
    [checked] = [value for key, value in result.items() if key not in ("metadata", "summary")]
    return checked["results"].get("errors", {})  # type: ignore[no-any-return]


def read_pabulib(text: str) -> tuple[dict[str, str], list[dict[str, str]], list[dict[str, str]]]:
    """A .pb file's META (key -> value), PROJECTS and VOTES rows, by the format's section headers."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line in ("META", "PROJECTS", "VOTES"):
            current = sections.setdefault(line, [])
        else:
            assert current is not None, f"a line before the first section: {line!r}"
            current.append(line)
    assert list(sections) == ["META", "PROJECTS", "VOTES"]
    meta = {row["key"]: row["value"] for row in csv.DictReader(sections["META"], delimiter=";")}
    projects = list(csv.DictReader(sections["PROJECTS"], delimiter=";"))
    votes = list(csv.DictReader(sections["VOTES"], delimiter=";"))
    return meta, projects, votes


async def test_vote_shows_the_open_ballot_again_to_electors_who_have_not_voted(sandbox: Sandbox) -> None:
    """/vote: nothing before the round opens; the ballot again while open and not yet cast;
    nothing once cast; residents are told whom the command is for."""
    await prepare_round(sandbox)
    await sandbox.say(1001, "/start", name="居民")
    await create_round(sandbox, quota="7")
    opens, _closes = await schedule_round(sandbox)
    [early] = await sandbox.say(2001, "/vote")
    assert early.text == "现在没有需要您投票的轮次。"
    [resident] = await sandbox.say(1001, "/vote")
    assert resident.text == "这个命令只对人大代表、人大常委会工作人员开放。"
    await sandbox.advance_clock(opens)
    round_ = await the_round(sandbox)
    [ballot] = await sandbox.say(2001, "/vote")
    assert ballot.buttons and any("c1" in label for row in ballot.buttons for label in row), ballot.buttons
    assert sandbox.button_data(2001, ballot.buttons[0][0]).startswith(f"bt:{round_.id}:")
    for code in ("c1", "c4", "c7"):
        await sandbox.press(2001, data=f"bt:{round_.id}:{code}")
    # The choices made so far are kept: /vote shows the same draft.
    [again] = await sandbox.say(2001, "/vote")
    assert again.text == sandbox.shown[-1].text and again.buttons == sandbox.shown[-1].buttons
    await sandbox.press(2001, data=f"bs:{round_.id}:submit")
    done = await sandbox.press(2001, "确认提交（提交后不能更改）")
    assert any(s.text.startswith("✅ 选票已提交") for s in done), done
    [after] = await sandbox.say(2001, "/vote")
    assert after.text == "现在没有需要您投票的轮次。"


async def add_long_items(sandbox: Sandbox, year: int, count: int = 25) -> None:
    """`count` more 特定征集 items of 190-character titles (titles up to 200 are accepted)."""
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        services = Services(session, sandbox.clock, sandbox.settings)
        for n in range(count):
            await services.rounds.add_item(year, f"{n}号" + "长" * 190, "eldercare", "special")
        await session.commit()


def raised(sandbox: Sandbox) -> list[str]:
    return [repr(error) for _update, error in sandbox.failures]


async def test_a_round_of_long_candidate_titles_still_shows_its_card(sandbox: Sandbox) -> None:
    """Found by the security review: 34 candidates, 25 of them of 190-character titles, made a
    card of 5,000+ characters that Telegram refused; the year's vote stopped at creation. The
    titles are shortened on the card, the ballot and the results; the round runs to publication."""
    year = await prepare_round(sandbox)
    await add_long_items(sandbox, year)
    await sandbox.say(ADMIN_ID, "/rounds")
    [summary] = await sandbox.press(ADMIN_ID, "➕ 新建票决")
    lowest = re.search(r"可选 (\d+)", summary.text)
    assert lowest, summary.text
    await sandbox.say(ADMIN_ID, lowest.group(1))
    created = await sandbox.press(ADMIN_ID, steps.APPROVAL)
    assert raised(sandbox) == []
    assert not any("抱歉，处理时出了点问题" in s.text for s in created), [s.text for s in created]
    round_ = await the_round(sandbox)
    card = await round_card(sandbox, round_)
    assert raised(sandbox) == [] and "设置开放和关闭时间" in str(card.buttons), card.text[:200]
    assert "c34 " in card.text and "候选项目 34 项" in card.text and "…" in card.text
    opens, closes = await schedule_round(sandbox)
    shown = await sandbox.advance_clock(opens)
    ballots = {s.to: s for s in shown if s.text.startswith("🗳")}
    assert set(ballots) == set(DEPUTIES)
    # One keyboard holds 34 approval buttons: every candidate is on the ballot, by its code.
    labels = [label for row in ballots[2001].buttons for label in row]
    assert [label.split()[1] for label in labels[:-1]] == [f"c{n}" for n in range(1, 35)]
    assert all(f"c{n} " in ballots[2001].text for n in range(1, 35))
    first = {}
    for candidate in sorted(await steps.rows(sandbox, RoundCandidate), key=lambda c: int(c.code[1:])):
        first.setdefault(candidate.category, candidate.code)
    for deputy in DEPUTIES[:4]:
        await cast_ballot(sandbox, deputy, round_.id, first.values())
    await sandbox.advance_clock(closes)
    card = await round_card(sandbox, round_)
    assert "<b>当选项目</b>" in card.text and "投票 4/6 人" in card.text
    shown = await sandbox.press(ADMIN_ID, "公布结果")
    assert {s.to for s in shown if s.method == "sendPhoto"} >= set(DEPUTIES)
    assert (await the_round(sandbox)).status == "published" and raised(sandbox) == []


async def test_a_ballot_too_long_for_one_keyboard_turns_pages(sandbox: Sandbox) -> None:
    """34 candidates marked 赞成/反对/弃权 are 102 buttons, more than a keyboard holds (100): the
    ballot shows 30 a page, turns pages, keeps a mark's page and is submitted from any page."""
    year = await prepare_round(sandbox)
    await add_long_items(sandbox, year)
    await steps.create_round(sandbox, quota="23", mode="赞成 / 反对 / 弃权")
    round_ = await the_round(sandbox)
    opens, _closes = await schedule_round(sandbox)
    shown = await sandbox.advance_clock(opens)
    [ballot] = [s for s in shown if s.to == 2001 and s.text.startswith("🗳")]
    assert "第 1/2 页" in ballot.text and ballot.buttons[-2:] == [["下一页 »"], ["提交选票"]]
    assert len(ballot.buttons) == 32 and ballot.buttons[0] == ["c1 赞成", "c1 反对", "c1 弃权"]
    [second] = await sandbox.press(2001, "下一页 »")
    assert "第 2/2 页" in second.text and second.buttons[-2:] == [["« 上一页"], ["提交选票"]]
    assert [row[0].split()[0] for row in second.buttons[:-2]] == ["c31", "c32", "c33", "c34"]
    [marked] = await sandbox.press(2001, "c33 反对")
    assert "第 2/2 页" in marked.text and marked.buttons[2] == ["c33 赞成", "● c33 反对", "c33 弃权"]
    assert all(f"c{n} " in marked.text for n in range(31, 35))
    receipt = await cast_ballot(sandbox, 2001, round_.id, marks={f"c{n}": "yes" for n in range(1, 35)})
    assert receipt and raised(sandbox) == []

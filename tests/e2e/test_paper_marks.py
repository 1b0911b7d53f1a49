"""Paper ballots in a 赞成 / 反对 / 弃权 round (issue 18): entered by one admin, checked by
another, counted mark by mark (an abstention is not a no), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.db.models import PaperEntry, SelectionRound
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID, make_settings
from tests.e2e.steps import (
    DEPUTIES,
    cast_ballot,
    create_round,
    prepare_round,
    round_card,
    rows,
    schedule_round,
)

SECOND_ADMIN = 9002
# 2004's paper ballot: c1 and c4 yes, c2 no, c3 abstain, the rest no or abstain.
PAPER = "c1 赞成 c2 反对 c3 弃权 c4 赞成 c5 反对 c6 弃权 c7 反对 c8 反对 c9 弃权"
PAPER_AGAIN = "c9 abstain, c8 no, c7 no, c6 abstain, c5 no, c4 yes, c3 abstain, c2 no, c1 yes"
MISTYPED = PAPER.replace("c6 弃权", "c6 反对")


async def test_paper_ballots_in_a_yes_no_abstain_round(database_url: str, data_dir: Path) -> None:
    settings = make_settings(database_url, data_dir, admin_ids=frozenset({ADMIN_ID, SECOND_ADMIN}))
    async with Sandbox(settings) as sandbox:
        await prepare_round(sandbox)
        await sandbox.say(SECOND_ADMIN, "/start", name="副主任")

        await create_round(sandbox, mode="赞成 / 反对 / 弃权")
        opens, closes = await schedule_round(sandbox)
        await sandbox.advance_clock(opens)
        [round_] = await rows(sandbox, SelectionRound)

        # Three deputies vote in chat: c1-c4 yes, the rest no.
        for deputy in DEPUTIES[:3]:
            marks = {f"c{number}": "yes" if number <= 4 else "no" for number in range(1, 10)}
            await cast_ballot(sandbox, deputy, round_.id, marks=marks)

        # 2004 votes on paper. An unreadable mark and an incomplete ballot are refused.
        await round_card(sandbox, round_)
        await sandbox.press(ADMIN_ID, "录入纸质选票")
        await sandbox.press(ADMIN_ID, "代表2004")
        [unread] = await sandbox.say(ADMIN_ID, "c1 也许")
        assert unread.text.startswith("没有看懂："), unread.text
        [incomplete] = await sandbox.say(ADMIN_ID, "c1 赞成 c2 反对")
        assert incomplete.text == "选票无效：还有 7 个候选项目没有标记", incomplete.text
        await sandbox.press(ADMIN_ID, "代表2004")
        [entered] = await sandbox.say(ADMIN_ID, PAPER)
        assert entered.text.startswith("已录入，等待另一位管理员核对")
        # The second admin mistypes one mark: nothing is counted; entered and checked anew.
        await round_card(sandbox, round_, SECOND_ADMIN)
        await sandbox.press(SECOND_ADMIN, "核对纸质选票")
        await sandbox.press(SECOND_ADMIN, "代表2004")
        [mismatch] = await sandbox.say(SECOND_ADMIN, MISTYPED)
        assert mismatch.text.startswith("两次录入不一致，这张选票没有计入。")
        await sandbox.press(ADMIN_ID, "录入纸质选票")
        await sandbox.press(ADMIN_ID, "代表2004")
        await sandbox.say(ADMIN_ID, PAPER)
        await sandbox.press(SECOND_ADMIN, "核对纸质选票")
        await sandbox.press(SECOND_ADMIN, "代表2004")
        [counted] = await sandbox.say(SECOND_ADMIN, PAPER_AGAIN)  # other order, other words
        assert counted.text.startswith("两次录入一致，纸质选票已计入。"), counted.text
        # Once counted, the entries keep neither the deputy nor the marks.
        entries = await rows(sandbox, PaperEntry)
        assert sorted(e.status for e in entries) == ["counted", "mismatch"]
        assert all(e.deputy_id is None and e.choices == "" for e in entries)
        [refused] = await sandbox.press(2004, data=f"bs:{round_.id}:submit")
        assert refused.alert and refused.text.startswith("您已经投过票了")

        # The paper ballot makes the quorum (4 of 6) and gives c1 and c4 their fourth yes, a
        # majority of all six deputies; c2 (a no) and c3 (an abstention) stay at 3.
        await sandbox.advance_clock(closes)
        card = await round_card(sandbox, round_)
        assert "投票 4/6 人" in card.text and "<b>当选项目</b>（2/7）" in card.text, card.text
        await sandbox.press(ADMIN_ID, "公布结果")
        await round_card(sandbox, round_)
        await sandbox.press(ADMIN_ID, "导出选票和结果")
        [pb] = [
            f.content.decode("utf-8") for f in sandbox.server.world.files.values() if f.name.endswith(".pb")
        ]
        # yes/no/abstain per candidate in the file's comment: the paper's no and abstention apart.
        for marks in ("c1 4/0/0", "c2 3/1/0", "c3 3/0/1", "c4 4/0/0", "c5 0/4/0", "c6 0/3/1"):
            assert marks in pb, (marks, pb)
        projects = csv.DictReader(
            pb.split("\nPROJECTS\n")[1].split("\nVOTES\n")[0].splitlines(), delimiter=";"
        )
        assert {p["project_id"] for p in projects if p["selected"] == "1"} == {"c1", "c4"}

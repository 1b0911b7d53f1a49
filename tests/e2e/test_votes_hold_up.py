"""Issue 12, "Votes that hold up": each numbered fault, end to end, on SQLite and PostgreSQL.

1 a ballot after the closing time; 2 the electorate as a list; 3 cast and close racing;
4 a binding confirmation; 5 a ballot box that cannot be opened; 6 receipts that verify but do not
prove; 7 unreachable deputies; 8 the tally command and too many ballots; 9 one ballot message at
opening, reminders only after it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlmodel import col, select

from bot.db.models import (
    BallotDraft,
    CastBallot,
    Deputy,
    EvaluationBallot,
    EvaluationVoter,
    PaperEntry,
    RoundElector,
)
from bot.sandbox.session import Sandbox
from bot.services.container import Services
from bot.services.rounds import BallotRefused, digest_of, receipt_hash
from bot.services.users import TelegramPerson
from core.rounds import RECEIPT_ALPHABET, RECEIPT_BITS, fingerprint
from core.tally import Mode
from tests.conftest import ADMIN_ID, make_settings, seed_areas_and_roster
from tests.e2e.steps import (
    CONFIRM,
    ITEMS,
    cast_ballot,
    create_round,
    prepare_round,
    roster,
    round_card,
    run_round,
    schedule_round,
    the_round,
)

FIVE = [2001, 2002, 2003, 2004, 2005]
# Codes follow the categories' order: c1-c3 eldercare, c4-c6 environment, c7-c9 transport.
VALID = ("c1", "c4", "c7")  # one of each category


async def scheduled_round(sandbox: Sandbox, length: timedelta = timedelta(days=2)) -> tuple:  # type: ignore[type-arg]
    """An approval round of seven, scheduled to open in ten days for `length`."""
    await create_round(sandbox)
    return await schedule_round(sandbox, length=length)


# -- 1. time is the rule ---------------------------------------------------------------------------
async def test_fault_1_a_ballot_confirmed_after_the_closing_time_is_refused(sandbox: Sandbox) -> None:
    await prepare_round(sandbox, FIVE)
    opens, closes = await scheduled_round(sandbox)
    await sandbox.advance_clock(opens)
    round_ = await the_round(sandbox)
    for deputy in (2001, 2002, 2003):
        await cast_ballot(sandbox, deputy, round_.id, VALID)
    # 2004 opens the confirmation at 16:59:30 ...
    await sandbox.advance_clock(closes - timedelta(seconds=30))
    for code in VALID:
        await sandbox.press(2004, data=f"bt:{round_.id}:{code}")
    [screen] = await sandbox.press(2004, data=f"bs:{round_.id}:submit")
    assert screen.text.startswith("请确认您的选票：")
    # ... and confirms at 17:00:25, before the scheduler's next tick: the clock moved, no tick ran.
    sandbox.clock.move_to(closes + timedelta(seconds=25))
    assert (await the_round(sandbox)).status == "open"
    [late] = await sandbox.press(2004, CONFIRM)
    assert late.alert and late.text.startswith("投票已于") and "没有计入" in late.text
    async with sandbox.runtime.session_factory() as session:
        assert len((await session.exec(select(CastBallot))).all()) == 3
    # The tick closes the round: 3 of 5 is below the two-thirds quorum, nobody is elected.
    await sandbox.advance_clock(closes + timedelta(seconds=30))
    card = (await round_card(sandbox, round_)).text
    assert "投票 3/5 人" in card and "本轮票决无效，没有项目当选" in card


async def test_fault_1_a_round_whose_opening_passed_while_down_is_not_opened_late(sandbox: Sandbox) -> None:
    await prepare_round(sandbox, FIVE)
    opens, _closes = await scheduled_round(sandbox)
    # The bot was down from before the opening until an hour after it.
    shown = await sandbox.advance_clock(opens + timedelta(hours=1))
    assert not [s for s in shown if s.to in FIVE and s.text.startswith("🗳")]
    [told] = [s for s in shown if s.to == ADMIN_ID]
    assert "没有开放" in told.text and "重新设置" in told.text
    round_ = await the_round(sandbox)
    assert round_.status == "draft" and round_.opened_at is None
    # The admin reschedules; it opens at the new time.
    card = (await round_card(sandbox, round_)).text
    assert "状态：草稿" in card
    new_opens = sandbox.clock.now() + timedelta(days=1)
    await sandbox.press(ADMIN_ID, "设置开放和关闭时间")
    await sandbox.say(ADMIN_ID, f"{new_opens:%Y-%m-%d %H:%M} {new_opens + timedelta(days=1):%Y-%m-%d %H:%M}")
    shown = await sandbox.advance_clock(new_opens.replace(second=0, microsecond=0) + timedelta(seconds=30))
    assert {s.to for s in shown if s.text.startswith("🗳")} == set(FIVE)


# -- 2. a frozen electorate -------------------------------------------------------------------------
async def test_fault_2_the_electorate_is_the_list_frozen_at_opening(sandbox: Sandbox) -> None:
    await prepare_round(sandbox, FIVE)
    opens, closes = await scheduled_round(sandbox)
    async with sandbox.runtime.session_factory() as session:  # 2005 is deactivated before the opening
        await session.exec(update(Deputy).where(col(Deputy.telegram_id) == 2005).values(is_active=False))  # type: ignore[call-overload]
        await session.commit()
    shown = await sandbox.advance_clock(opens)
    assert {s.to for s in shown if s.text.startswith("🗳")} == {2001, 2002, 2003, 2004}
    round_ = await the_round(sandbox)
    assert round_.electorate == 4
    async with sandbox.runtime.session_factory() as session:  # ... and re-enabled after it
        await session.exec(update(Deputy).where(col(Deputy.telegram_id) == 2005).values(is_active=True))  # type: ignore[call-overload]
        await session.commit()
    [refused] = await sandbox.press(2005, data=f"bt:{round_.id}:c1")
    assert refused.alert and "不在这一轮的选民名单中" in refused.text
    [refused] = await sandbox.press(2005, data=f"bs:{round_.id}:confirm:{fingerprint(list(VALID))}")
    assert refused.alert and "不在这一轮的选民名单中" in refused.text
    [none] = await sandbox.say(2005, "/vote")
    assert none.text == "现在没有需要您投票的轮次。"
    # The service refuses too (a paper entry, a forged path), and nothing was stored.
    async with sandbox.runtime.session_factory() as session:
        services = Services(session, sandbox.clock, sandbox.settings)
        deputy = (await session.exec(select(Deputy).where(Deputy.telegram_id == 2005))).one()
        deputy_id = deputy.id
        fresh = await services.rounds.get(round_.id)
        with pytest.raises(BallotRefused) as refusal:
            await services.rounds.cast(fresh, deputy, {c: True for c in VALID})  # type: ignore[arg-type]
        assert refusal.value.code == "not_elector"
        await session.rollback()
        electors = (await session.exec(select(RoundElector.deputy_id))).all()
        assert len(electors) == 4 and deputy_id not in electors
    for deputy in (2001, 2002, 2003):
        await cast_ballot(sandbox, deputy, round_.id, VALID)
    card = (await round_card(sandbox, round_)).text
    [turnout] = await sandbox.press(ADMIN_ID, "投票率")
    assert turnout.text == "已投票 3/4 人。"
    await sandbox.advance_clock(closes)
    card = (await round_card(sandbox, round_)).text
    assert "投票 3/4 人" in card and "当选项目" in card  # 3 of 4: quorum met


# -- 3. cast and close cannot interleave ------------------------------------------------------------
async def test_fault_3_casts_racing_the_closing_are_counted_or_refused(
    database_url: str, data_dir: Path
) -> None:
    """Many casts in flight on their own connections while the round closes: every receipt
    handed out is in the count, every other cast is refused (PostgreSQL: real concurrency)."""
    count = 24
    async with Sandbox(make_settings(database_url, data_dir)) as sandbox:
        ids = list(range(5000, 5000 + count))
        await seed_areas_and_roster(sandbox, roster(ids))
        year = sandbox.clock.now().year + 1
        factory = sandbox.runtime.session_factory
        async with factory() as session:
            services = Services(session, sandbox.clock, sandbox.settings)
            for title, category in ITEMS:
                await services.rounds.add_item(year, title, category, "special")
            admin, _ = await services.users.touch(TelegramPerson(ADMIN_ID, "办公室", None))
            round_ = await services.rounds.create(
                admin, year, "并发关闭", Mode.APPROVAL, 7, await services.rounds.items(year)
            )
            await services.rounds.open(round_)
            await session.commit()
            rid = round_.id
            deputies = [d for d, _u in await services.rounds.active_deputies()]

        async def cast(deputy: Deputy) -> str | None:
            await asyncio.sleep(0.002 * (deputy.id % 7))
            async with factory() as session:
                services = Services(session, sandbox.clock, sandbox.settings)
                round_ = await services.rounds.get(rid)
                try:
                    receipt = await services.rounds.cast(round_, deputy, {c: True for c in VALID})  # type: ignore[arg-type]
                    await asyncio.sleep(0.01)  # the transaction stays open a moment after the write
                    await session.commit()
                    return receipt
                except BallotRefused as refused:
                    assert refused.code == "closed"
                    await session.rollback()
                    return None

        async def close() -> None:
            await asyncio.sleep(0.02)
            async with factory() as session:
                services = Services(session, sandbox.clock, sandbox.settings)
                assert await services.rounds.close(await services.rounds.get(rid)) is not None  # type: ignore[arg-type]
                await session.commit()

        outcomes = await asyncio.gather(close(), *(cast(d) for d in deputies))
        receipts = [r for r in outcomes[1:] if r is not None]
        async with factory() as session:
            services = Services(session, sandbox.clock, sandbox.settings)
            round_ = await services.rounds.get(rid)
            result = services.rounds.result_of(round_)  # type: ignore[arg-type]
            stored = set(await services.rounds.receipts(round_))  # type: ignore[arg-type]
            voters = await services.rounds.turnout(round_)  # type: ignore[arg-type]
        assert result is not None and result.turnout == len(receipts) == len(stored) == voters
        assert {digest_of(rid, round_.receipt_key, r) for r in receipts} == stored  # type: ignore[union-attr]


# -- 4. the confirmation binds ----------------------------------------------------------------------
async def test_fault_4_a_ballot_changed_after_the_confirmation_screen_asks_again(sandbox: Sandbox) -> None:
    await prepare_round(sandbox, FIVE)
    opens, _closes = await scheduled_round(sandbox)
    await sandbox.advance_clock(opens)
    round_ = await the_round(sandbox)
    for code in ("c1", "c4", "c7"):
        await sandbox.press(2001, data=f"bt:{round_.id}:{code}")
    [screen] = await sandbox.press(2001, "提交选票")
    assert screen.text.startswith("请确认您的选票：")
    assert "☑ c1" in screen.text and "☑ c7" in screen.text and "☑ c2" not in screen.text
    # On the other ballot message (the one /vote sends) c2 and c3 are added.
    [other] = await sandbox.say(2001, "/vote")
    assert "已选 3/7" in other.text
    await sandbox.press(2001, data=f"bt:{round_.id}:c2")
    await sandbox.press(2001, data=f"bt:{round_.id}:c3")
    # The old confirmation screen's button casts nothing: it shows the ballot as it is now.
    [again] = await sandbox.press(2001, CONFIRM)
    assert again.text.startswith("您的选票在确认页面显示之后有改动，请再次确认：")
    assert "☑ c2" in again.text and "☑ c3" in again.text
    async with sandbox.runtime.session_factory() as session:
        assert (await session.exec(select(CastBallot))).all() == []
    [done] = await sandbox.press(2001, CONFIRM)
    assert done.text.startswith("✅ 选票已提交")
    async with sandbox.runtime.session_factory() as session:
        [ballot] = (await session.exec(select(CastBallot))).all()
        assert json.loads(ballot.choices) == ["c1", "c2", "c3", "c4", "c7"]


# -- 5. a ballot box with no order ------------------------------------------------------------------
async def test_fault_5_the_linking_joins_recover_no_more_than_chance(sandbox: Sandbox, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    deputies = list(range(2001, 2013))
    await prepare_round(sandbox, deputies)
    opens, closes = await scheduled_round(sandbox)
    await sandbox.advance_clock(opens)
    round_ = await the_round(sandbox)
    # Twelve different ballots: each names its voter to whoever can pair the rows.
    pairs = list(itertools.combinations(["c2", "c3", "c5", "c6", "c8", "c9"], 2))
    ballot_of = {}
    for deputy, pair in zip(deputies, pairs, strict=False):
        codes = (*VALID, *pair)
        ballot_of[deputy] = sorted(codes)
        await cast_ballot(sandbox, deputy, round_.id, codes)
    await sandbox.advance_clock(closes)
    sqlite = sandbox.settings.database_url.startswith("sqlite")
    async with sandbox.runtime.session_factory() as session:
        deputy_of = {d.id: d.telegram_id for d in (await session.exec(select(Deputy))).all()}

        async def rows(query: str) -> list:  # type: ignore[type-arg]
            return list((await session.exec(text(query))).all())  # type: ignore[call-overload]

        orders = {"id": "SELECT deputy_id FROM round_voters ORDER BY id"}
        boxes = {}
        if sqlite:
            orders["rowid"] = "SELECT deputy_id FROM round_voters ORDER BY rowid"
            boxes["rowid"] = "SELECT choices FROM ballots ORDER BY rowid"
        else:
            orders["ctid"] = "SELECT deputy_id FROM round_voters ORDER BY ctid"
            orders["xmin"] = "SELECT deputy_id FROM round_voters ORDER BY xmin::text::bigint"
            boxes["ctid"] = "SELECT choices FROM ballots ORDER BY ctid"
            boxes["xmin"] = "SELECT choices FROM ballots ORDER BY xmin::text::bigint, ctid"
            # One transaction wrote the whole box: its transaction ids are all the same.
            assert len(await rows("SELECT DISTINCT xmin::text FROM ballots")) == 1
        for order in orders.values():
            voters = [deputy_of[r[0]] for r in await rows(order)]
            for box in boxes.values():
                choices = [json.loads(r[0]) for r in await rows(box)]
                matches = sum(ballot_of[v] == c for v, c in zip(voters, choices, strict=True))
                # A random order matches about one pair in expectation; 6 or more is 1 in 1,700.
                assert matches <= 5, (order, box, matches)
        # No timestamp on a ballot, no draft left, no paper entry naming a deputy with choices.
        columns = await rows(
            "SELECT name FROM pragma_table_info('ballots')"
            if sqlite
            else "SELECT column_name FROM information_schema.columns WHERE table_name = 'ballots'"
        )
        assert {c[0] for c in columns} == {"receipt_hash", "round_id", "choices"}
        assert (await session.exec(select(BallotDraft))).all() == []
        assert [p for p in (await session.exec(select(PaperEntry))).all() if p.deputy_id is not None] == []
    # The drivers logged no parameter values, at DEBUG: no ballot, no receipt hash, no deputy.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [r for r in caplog.records if r.name.startswith(("sqlalchemy.engine", "aiosqlite", "asyncpg"))]
    assert '"c1"' not in logged and "round_voters" not in logged


# -- 6. receipts --------------------------------------------------------------------------------------
async def test_fault_6_receipts_verify_but_do_not_prove(sandbox: Sandbox) -> None:
    await prepare_round(sandbox, FIVE)
    round_, receipts = await run_round(sandbox, dict.fromkeys((2001, 2002, 2003, 2004), VALID))
    assert RECEIPT_BITS >= 80 and len(RECEIPT_ALPHABET) == 32
    for receipt in receipts.values():
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", receipt)
    assert len(set(receipts.values())) == 4
    await round_card(sandbox, round_)
    await sandbox.press(ADMIN_ID, "公布结果")
    round_ = await the_round(sandbox)
    # Hashed under the round's key: not the plain hash anyone could recompute from a guess.
    async with sandbox.runtime.session_factory() as session:
        stored = {b.receipt_hash for b in (await session.exec(select(CastBallot))).all()}
    assert stored == {digest_of(round_.id, round_.receipt_key, r) for r in receipts.values()}
    assert not stored & {receipt_hash(round_.id, r) for r in receipts.values()}
    # /check: counted, typed loosely; a made-up code is not.
    [checked] = await sandbox.say(2001, f"/check {receipts[2001].lower().replace('-', ' ')}")
    assert checked.text.startswith(f"✅ 这张选票已计入：#{round_.id}")
    [unknown] = await sandbox.say(2001, "/check 7K3M-QX2P-9TBV-H4NC")
    assert unknown.text.startswith("没有在已公布的票决中找到这个回执码")
    # The export lists counted receipt hashes apart from the choices, never side by side.
    await round_card(sandbox, round_)
    await sandbox.press(ADMIN_ID, "导出选票和结果")
    files = {
        f.name: f.content.decode()
        for f in sandbox.server.world.files.values()
        if f.name.endswith((".csv", ".txt"))
    }
    ballots_csv = files[f"round-{round_.id}-ballots.csv"]
    assert ballots_csv.lstrip("\ufeff").splitlines()[0].strip() == "选票"
    assert not any(h in ballots_csv for h in stored)
    assert set(files[f"round-{round_.id}-receipts.txt"].split()) == stored


# -- 7. unreachable deputies ------------------------------------------------------------------------
async def test_fault_7_the_admin_sees_who_needs_a_paper_ballot(sandbox: Sandbox) -> None:
    await prepare_round(sandbox, FIVE, started=[2001, 2002, 2003])
    await scheduled_round(sandbox)
    round_ = await the_round(sandbox)
    card = (await round_card(sandbox, round_)).text  # before the opening
    assert "以下 2 位代表无法在聊天中收到选票" in card and "代表2004、代表2005" in card
    shown = await sandbox.advance_clock(round_.opens_at)  # type: ignore[arg-type]
    assert {s.to for s in shown if s.text.startswith("🗳")} == {2001, 2002, 2003}
    [told] = [s for s in shown if s.to == ADMIN_ID]
    assert "选民 5 人" in told.text and "代表2004、代表2005" in told.text
    card = (await round_card(sandbox, await the_round(sandbox))).text  # and while it is open
    assert "代表2004、代表2005" in card
    [who] = await sandbox.press(ADMIN_ID, "录入纸质选票")
    assert {"代表2004", "代表2005"} <= {label for row in who.buttons for label in row}


# -- 8. the tally command -----------------------------------------------------------------------------
def test_fault_8_tally_refuses_more_ballots_than_the_electorate(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_text(
        json.dumps(
            {
                "mode": "approval",
                "quota": 1,
                "electorate": 2,
                "candidates": [{"id": "a", "category": "health"}, {"id": "b", "category": "health"}],
                "ballots": [{"approve": ["a"]}] * 3,
            }
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "tally", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "configuration error: 3 ballots but the electorate is 2" in done.stderr


# -- 9. one ballot message at opening ------------------------------------------------------------------
async def test_fault_9_a_short_round_sends_one_ballot_and_reminders_only_after_opening(
    sandbox: Sandbox,
) -> None:
    await prepare_round(sandbox, FIVE)
    opens, closes = await scheduled_round(sandbox, length=timedelta(hours=3))
    shown = await sandbox.advance_clock(opens)
    for deputy in FIVE:
        assert len([s for s in shown if s.to == deputy]) == 1
    # The two-hour reminder falls an hour after the opening: sent then, once; no 24 h reminder.
    shown = await sandbox.advance_clock(closes - timedelta(hours=2))
    reminded = [s for s in shown if s.to == 2001]
    assert len([s for s in reminded if s.text.startswith("⏰")]) == 1
    shown = await sandbox.advance_clock(closes - timedelta(minutes=30))
    assert not [s for s in shown if s.text.startswith("⏰")]


async def test_evaluation_ratings_follow_the_same_rules(sandbox: Sandbox) -> None:
    """Evaluation rounds: frozen electorate, no rating after closes_at, the box shuffled."""
    await seed_areas_and_roster(sandbox)
    for person in (ADMIN_ID, 2001, 2002):
        await sandbox.say(person, "/start")
    year = sandbox.clock.now().year
    async with sandbox.runtime.session_factory() as session:
        services = Services(session, sandbox.clock, sandbox.settings)
        await services.projects.create(
            year=year,
            name="口袋公园",
            category="environment",
            department="区城管局",
            budget=0,
            elected_at=sandbox.clock.now(),
        )
        await session.commit()
    await sandbox.say(ADMIN_ID, "/evaluations")
    await sandbox.press(ADMIN_ID, f"➕ 新建{year}年效果票评")
    await sandbox.press(ADMIN_ID, "⏱ 设置时间")
    start = (sandbox.clock.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    end = start + timedelta(days=2)
    await sandbox.say(ADMIN_ID, f"{start:%Y-%m-%d %H:%M} {end:%Y-%m-%d %H:%M}")
    async with sandbox.runtime.session_factory() as session:
        await session.exec(update(Deputy).where(col(Deputy.telegram_id) == 2002).values(is_active=False))  # type: ignore[call-overload]
        await session.commit()
    await sandbox.advance_clock(start)
    async with sandbox.runtime.session_factory() as session:
        await session.exec(update(Deputy).where(col(Deputy.telegram_id) == 2002).values(is_active=True))  # type: ignore[call-overload]
        await session.commit()
    [refused] = await sandbox.press(2002, data="er:1:0:s")
    assert refused.alert and "不在这次效果票评的评议代表名单中" in refused.text
    await sandbox.press(2001, "满意")
    await sandbox.press(2001, "📋 检查并提交")
    sandbox.clock.move_to(end + timedelta(seconds=5))
    [late] = await sandbox.press(2001, "✅ 确认提交")
    assert late.alert and "已经截止" in late.text
    await sandbox.advance_clock(end + timedelta(seconds=30))
    async with sandbox.runtime.session_factory() as session:
        assert (await session.exec(select(EvaluationBallot))).all() == []
        assert (await session.exec(select(EvaluationVoter))).all() == []

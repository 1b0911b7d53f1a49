"""Issue 14: every message arrives whole, once and readable (faults numbered as in the issue)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.db.models import Suggestion
from bot.sandbox.session import Sandbox
from tests.conftest import seed_areas_and_roster

RESIDENT, DEPUTY, OTHER_DEPUTY = 1001, 2001, 2002
APOLOGY = "抱歉，处理时出了点问题"
LAMP = Path(__file__).resolve().parents[2] / "samples" / "lamp.jpg"


async def suggestions(sandbox: Sandbox) -> list[Suggestion]:
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        query = select(Suggestion).where(col(Suggestion.state) != "abandoned").order_by(col(Suggestion.id))
        return list((await session.exec(query)).all())


async def finish_intake(sandbox: Sandbox, user: int, *, photo: Path | None = None) -> Suggestion:
    """From the category question to the tracking number (street 莲花, community 彩田)."""
    await sandbox.press(user, "✅ 对，就是这类")
    await sandbox.press(user, "莲花街道" if "莲花街道" in str(sandbox.shown[-1].buttons) else "📍 就是这里")
    if sandbox.shown[-1].text == "哪个社区？":
        await sandbox.press(user, "彩田社区")
    if sandbox.shown[-1].buttons and ["跳过，不发照片"] in sandbox.shown[-1].buttons:
        if photo is not None:
            await sandbox.photo(user, photo)
        else:
            await sandbox.press(user, "跳过，不发照片")
    shown = await sandbox.press(user, sandbox.shown[-1].buttons[0][0])
    if shown[-1].buttons and shown[-1].buttons[-1] == ["仍然提交我的建议"]:
        await sandbox.press(user, "仍然提交我的建议")
    return (await suggestions(sandbox))[-1]


@pytest.fixture
async def street(sandbox: Sandbox) -> Sandbox:
    await seed_areas_and_roster(sandbox)
    for user, name in ((DEPUTY, "张伟"), (OTHER_DEPUTY, "李娜"), (RESIDENT, "王阿姨")):
        await sandbox.say(user, "/start", name=name)
    return sandbox


def apologies(sandbox: Sandbox) -> list[str]:
    return [s.text for s in sandbox.shown if APOLOGY in s.text]


async def test_fault_4_one_press_gets_one_answer_with_the_real_reason(street: Sandbox) -> None:
    await street.say(RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    await finish_intake(street, RESIDENT)
    [answer] = await street.press(DEPUTY, "合并")
    assert answer.method == "answerCallbackQuery" and answer.alert
    assert answer.text == "本街道没有可以合并的其他建议。"
    assert not apologies(street)


async def test_fault_5_acting_on_a_photo_card_edits_its_caption(street: Sandbox) -> None:
    await street.say(RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    mark = len(street.shown)
    suggestion = await finish_intake(street, RESIDENT, photo=LAMP)
    [card] = [s for s in street.shown[mark:] if s.to == DEPUTY and s.method == "sendPhoto"]
    assert card.text.startswith("📥")
    await street.press(DEPUTY, "转社区办理")
    shown = await street.press(DEPUTY, "确定：转社区办理")
    [done] = [s for s in shown if s.to == DEPUTY]
    assert done.method == "editMessageCaption" and done.text.endswith("✅ 已处理：转社区办理")
    [stored] = [s for s in await suggestions(street) if s.id == suggestion.id]
    assert stored.state == "to_community"
    assert not apologies(street)


async def test_fault_11_the_board_serves_a_published_evaluation(sandbox: Sandbox) -> None:
    from datetime import timedelta

    from aiohttp.test_utils import TestClient, TestServer

    from bot.services.container import Services
    from bot.web.board import Board, build_board_app
    from tests.conftest import ADMIN_ID

    await seed_areas_and_roster(sandbox)
    for person in (ADMIN_ID, DEPUTY, OTHER_DEPUTY):
        await sandbox.say(person, "/start")
    year = sandbox.clock.now().year
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
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
    start = sandbox.clock.now() + timedelta(days=1)
    await sandbox.say(ADMIN_ID, f"{start:%Y-%m-%d %H:%M} {start + timedelta(days=2):%Y-%m-%d %H:%M}")
    await sandbox.advance_clock(start + timedelta(minutes=1))
    await sandbox.press(DEPUTY, "满意")
    await sandbox.press(DEPUTY, "📋 检查并提交")
    await sandbox.press(DEPUTY, "✅ 确认提交")
    await sandbox.say(ADMIN_ID, "/evaluations")
    await sandbox.press(ADMIN_ID, f"#1 {year}年民生实事项目效果票评")
    await sandbox.press(ADMIN_ID, "立即结束")
    await sandbox.press(ADMIN_ID, "公布结果")
    runtime = sandbox.runtime
    board = Board(runtime.session_factory, runtime.i18n, runtime.settings, runtime.bot)  # type: ignore[union-attr]
    client = TestClient(TestServer(build_board_app(board)))
    await client.start_server()
    try:
        answer = await client.get("/api/evaluations")
        assert answer.status == 200
        [evaluation] = (await answer.json())["evaluations"]
        assert evaluation["title"] == f"{year}年民生实事项目效果票评"
        english = await (await client.get("/api/evaluations?lang=en")).json()
        assert english["evaluations"][0]["title"] != evaluation["title"]
        table = await client.get("/csv/evaluations.csv")
        assert table.status == 200 and "口袋公园" in await table.text()
        results = await client.get("/results")
        assert results.status == 200 and f"{year}年民生实事项目效果票评" in await results.text()
    finally:
        await client.close()


LONG_TEXT = ("我们小区门口的路灯坏了好几个月，晚上老人出门很不安全。" * 80)[:1990]


async def ask_and_answer(street: Sandbox, question: str, answer: str) -> list:
    await street.press(DEPUTY, "追问")
    await street.say(DEPUTY, question)
    await street.press(RESIDENT, "回答代表的问题")
    return await street.say(RESIDENT, answer)


async def test_faults_1_and_2_long_texts_are_stored_whole_and_every_card_fits(street: Sandbox) -> None:
    from bot.db.models import Delivery, SuggestionEvent

    await street.say(RESIDENT, LONG_TEXT)
    suggestion = await finish_intake(street, RESIDENT)
    questions = [
        ("问题一：" + "具体是哪几栋楼门口？" * 60)[:480],
        ("问题二：" + "大概从什么时候开始？" * 60)[:480],
    ]
    answers = [
        ("回答一：" + "三栋和五栋之间的路段。" * 100)[:990],
        ("回答二：" + "从今年八月开始一直不亮。" * 100)[:990],
    ]
    for question, answer in zip(questions, answers, strict=True):
        shown = await ask_and_answer(street, question, answer)
        assert any(s.to == RESIDENT and s.text.startswith("谢谢！您的回答已转给代表") for s in shown)
        cards = [s for s in shown if s.to in (DEPUTY, OTHER_DEPUTY) and "回答：" in s.text]
        assert len(cards) == 2 and all(["全文"] in c.buttons for c in cards)
    async with street.runtime.session_factory() as session:  # type: ignore[union-attr]
        failed = (await session.exec(select(Delivery).where(Delivery.status == "failed"))).all()
        stored = (
            await session.exec(
                select(SuggestionEvent.reason)
                .where(col(SuggestionEvent.kind).in_(("ask", "answer")))
                .order_by(col(SuggestionEvent.id))
            )
        ).all()
    assert not failed
    assert list(stored) == [questions[0], answers[0], questions[1], answers[1]]  # whole, uncut
    # Everyone can still open it; the whole text comes in parts.
    [listing] = await street.say(DEPUTY, "/inbox")
    [card] = await street.press(DEPUTY, listing.buttons[0][0])
    assert card.text.startswith("<b>MS-") and ["全文"] in card.buttons
    parts = await street.press(DEPUTY, "全文")
    whole = "".join(part.text for part in parts)
    assert LONG_TEXT in whole and all(answer in whole for answer in answers)
    [mine] = await street.say(RESIDENT, "/my")
    [detail] = await street.press(RESIDENT, mine.buttons[0][0])
    assert detail.text.startswith("<b>MS-") and ["全文"] in detail.buttons
    assert suggestion.id is not None and not apologies(street)


async def test_fault_2_a_text_over_the_limit_is_refused_with_the_limit(street: Sandbox) -> None:
    await street.say(RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    await finish_intake(street, RESIDENT)
    await street.press(DEPUTY, "追问")
    [refused] = await street.say(DEPUTY, "问" * 2001)
    assert refused.text == "您写了 2001 字，超过了 2000 字的上限，没有保存。请精简后再发送。"
    # Still asking: a shorter question is taken.
    shown = await street.say(DEPUTY, "问" * 1500)
    [question] = [s for s in shown if s.to == RESIDENT]
    assert "问" * 1500 in question.text or "全文" in str(question.buttons)

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

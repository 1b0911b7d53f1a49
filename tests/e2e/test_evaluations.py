"""Evaluation rounds: refusals and bad input (the whole round is samples/evaluation.jsonl)."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox.session import Sandbox
from bot.services.container import Services
from tests.conftest import ADMIN_ID, seed_areas_and_roster


async def test_refusals_and_bad_input(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    for person in (ADMIN_ID, 1001, 2001):
        await sandbox.say(person, "/start")
    [denied] = await sandbox.say(1001, "/evaluations")
    assert denied.text == "这个命令只对人大常委会工作人员开放。"
    await sandbox.say(ADMIN_ID, "/evaluations")
    year = sandbox.clock.now().year
    [alert] = await sandbox.press(ADMIN_ID, f"➕ 新建{year}年效果票评")
    assert alert.alert and "还没有民生实事项目" in alert.text
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
    await sandbox.press(ADMIN_ID, f"➕ 新建{year}年效果票评")
    await sandbox.press(ADMIN_ID, "⏱ 设置时间")
    [asked] = await sandbox.say(ADMIN_ID, "下周一开始")
    assert "没有看懂时间" in asked.text
    [asked] = await sandbox.say(ADMIN_ID, "2020-01-01 09:00 2020-01-02 09:00")
    assert "不能早于现在" in asked.text
    start = sandbox.clock.now() + timedelta(days=1)
    end = start + timedelta(days=2)
    [card] = await sandbox.say(ADMIN_ID, f"{start:%Y-%m-%d %H:%M} {end:%Y-%m-%d %H:%M}")
    assert "已排期" in card.text
    # Before it opens, and from someone who is not a deputy: refused politely.
    [alert] = await sandbox.press(2001, data="er:1:0:s")
    assert alert.alert and "不在评议时间内" in alert.text
    shown = await sandbox.advance_clock(start + timedelta(minutes=1))
    assert [s.to for s in shown if s.text.startswith("🗳")] == [2001]
    [alert] = await sandbox.press(1001, data="er:1:0:s")
    assert alert.alert and alert.text == "这个按钮只对人大代表、人大常委会工作人员开放。"
    [alert] = await sandbox.press(2001, data="er:1:7:s")  # no such card
    assert alert.alert and alert.text == "这个按钮已失效，请发送 /start 重新打开菜单。"  # the shared sentence
    # Pressing the chosen rating again takes it back.
    [card] = await sandbox.press(2001, "满意")
    assert "已评 1/1" in card.text and "您的评价：满意" in card.text
    [card] = await sandbox.press(2001, "✅ 满意")
    assert "已评 0/1" in card.text
    # Submitted, ended early by the admin, published: the receipt is found by /check.
    await sandbox.press(2001, "满意")
    [reviewed] = await sandbox.press(2001, "📋 检查并提交")
    assert "满意" in reviewed.text and "不满意" not in reviewed.text
    # The rating changed after the review screen (another card, another device): its confirm
    # button submits nothing and shows the ratings as they are now.
    reviewed_confirm = sandbox.button_data(2001, "✅ 确认提交")
    await sandbox.press(2001, data="er:1:0:d")
    [again] = await sandbox.press(2001, data=reviewed_confirm)
    assert again.text.startswith("您的评价在检查页面显示之后有改动，请再次确认：") and "不满意" in again.text
    await sandbox.press(2001, data="er:1:0:s")
    # A confirm button sent before confirmations carried a fingerprint asks again too.
    [asked] = await sandbox.press(2001, data="en:1:0:submit")
    assert asked.text.startswith("您的评价在检查页面显示之后有改动") and "不满意" not in asked.text
    [receipt] = await sandbox.press(2001, "✅ 确认提交")
    code = receipt.text.split("<code>")[1].split("</code>")[0]
    [early] = await sandbox.say(2001, f"/check {code}")
    assert "结果公布前无法核对" in early.text
    await sandbox.say(ADMIN_ID, "/evaluations")
    await sandbox.press(ADMIN_ID, f"#1 {year}年民生实事项目效果票评")
    await sandbox.press(ADMIN_ID, "立即结束")
    await sandbox.press(ADMIN_ID, "公布结果")
    [checked] = await sandbox.say(2001, f"/check {code.lower()}")
    assert checked.text == f"✅ 这份评价已计入：{year}年民生实事项目效果票评。"

"""A press that came too late names who really acted and the state they left (issue 13, fault 13);
a button pressed again after its step ended is called stale, never another role's (the second
security review, finding 6)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.common_texts import STALE_BUTTON
from bot.db.models import Delivery, Suggestion, SuggestionEvent
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID
from tests.e2e.steps import DEPUTY, OTHER_DEPUTY, RESIDENT, STAFF, rows, seed_project
from tests.e2e.steps import submit_suggestion as submit


async def test_a_press_after_the_residents_answer_names_the_resident(street: Sandbox) -> None:
    suggestion = await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    await street.press(DEPUTY, "追问")
    await street.say(DEPUTY, "大概每天有多少位老人需要用餐？")
    [asked] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
    await street.press(RESIDENT, "回答代表的问题")
    await street.say(RESIDENT, "大约三十位，多是独居老人")
    # The deputy's card from before the answer: its version is stale.
    shown = await street.press(DEPUTY, data=f"tc:{asked.id}:{asked.version}:to_street")
    [told] = [s for s in shown if s.method == "answerCallbackQuery"]
    assert told.alert and told.text == "这条建议已由提建议的居民处理，现在的状态：已提交。"
    assert "管理员" not in told.text


async def test_the_loser_of_two_presses_is_told_the_winners_state(street: Sandbox) -> None:
    suggestion = await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    await street.press(DEPUTY, "转街道")
    await street.press(OTHER_DEPUTY, "报区人大常委会")
    world = street.server.world

    def both_confirm() -> None:
        world.press(world.people[DEPUTY], "确定：转街道")
        world.press(world.people[OTHER_DEPUTY], "确定：报区人大常委会")

    shown = await street.act(both_confirm)
    [won] = await rows(
        street,
        SuggestionEvent,
        SuggestionEvent.suggestion_id == suggestion.id,
        SuggestionEvent.kind != "submit",
    )
    loser, name, state = (
        (OTHER_DEPUTY, "张伟", "转街道") if won.kind == "to_street" else (DEPUTY, "李娜", "报区人大常委会")
    )
    [told] = [s for s in shown if s.to == loser and s.method == "answerCallbackQuery"]
    # The true state (the winner's), not the one the loser saw nor the one he tried to set.
    assert told.alert and told.text == f"这条建议已由{name}代表处理，现在的状态：{state}。"
    [stored] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
    assert stored.state == won.new_state


# Every button registered only in a step's state (grep handlers for a StatesGroup state on a
# callback_query registration): the flow is walked past that step by the role it serves, which
# then presses the old button again. Each returns (presser, the button's data).
async def announcement_sent(sandbox: Sandbox) -> tuple[int, str]:
    await sandbox.say(ADMIN_ID, "/announce")
    await sandbox.press(ADMIN_ID, data="an:deputies:")
    await sandbox.say(ADMIN_ID, "明天上午九点开会")
    data = sandbox.button_data(ADMIN_ID, "✅ 确认发送")
    await sandbox.press(ADMIN_ID, data=data)
    letters = [d for d in await rows(sandbox, Delivery) if "明天上午九点开会" in d.text]
    assert len(letters) == 1  # queued once
    return ADMIN_ID, data


async def announcement_audience_chosen(sandbox: Sandbox) -> tuple[int, str]:
    await sandbox.say(ADMIN_ID, "/announce")
    await sandbox.press(ADMIN_ID, data="an:deputies:")
    await sandbox.say(ADMIN_ID, "/cancel")
    return ADMIN_ID, "an:deputies:"


async def plan_submitted(sandbox: Sandbox) -> tuple[int, str]:
    await sandbox.say(STAFF, "/report")
    await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(STAFF, "📋 提交实施方案")
    await sandbox.say(STAFF, "3月开工，9月投入使用。")
    await sandbox.press(STAFF, "跳过，不附文件")
    data = sandbox.button_data(STAFF, "✅ 确认提交")
    [*_, done] = await sandbox.press(STAFF, data=data)
    assert done.text.startswith("✅ 已提交"), done.text
    return STAFF, data


async def percent_chosen(sandbox: Sandbox) -> tuple[int, str]:
    await plan_submitted(sandbox)
    await sandbox.say(STAFF, "/report")
    await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(STAFF, "📈 报告进度")
    data = sandbox.button_data(STAFF, "60%")
    await sandbox.press(STAFF, data=data)
    return STAFF, data


@pytest.mark.parametrize(
    "walk",
    [announcement_sent, announcement_audience_chosen, plan_submitted, percent_chosen],
    ids=lambda walk: walk.__name__,
)
async def test_a_button_pressed_after_its_step_is_stale_not_someone_elses(
    sandbox: Sandbox, walk: Callable[[Sandbox], Awaitable[tuple[int, str]]]
) -> None:
    await seed_project(sandbox)
    presser, data = await walk(sandbox)
    [again] = [s for s in await sandbox.press(presser, data=data) if s.method == "answerCallbackQuery"]
    assert again.alert and "只对" not in again.text, f"the second press read {again.text!r}"
    assert again.text in (STALE_BUTTON, "这条通知已经处理过了。"), again.text

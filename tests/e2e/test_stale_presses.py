"""A press that came too late names who really acted and the state they left (issue 13, fault 13)."""

from __future__ import annotations

from bot.db.models import Suggestion, SuggestionEvent
from bot.sandbox.session import Sandbox
from tests.e2e.steps import DEPUTY, OTHER_DEPUTY, RESIDENT, rows
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

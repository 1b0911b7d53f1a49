"""Deputies triage in chat: every path, the rules on who may press what, and the points."""

from __future__ import annotations

import asyncio
import csv
import io

import openpyxl
import pytest

from bot.db.models import (
    CandidateItem,
    CategoryCorrection,
    Deputy,
    DeputyEvent,
    Follow,
    PointsEntry,
    StaffMember,
    Street,
    Suggestion,
    SuggestionEvent,
    User,
)
from bot.sandbox.session import Sandbox
from bot.services.suggestions import tracking
from tests.conftest import ADMIN_ID, seed_areas_and_roster, shows_id
from tests.e2e.steps import DEPUTY, FAR_DEPUTY, OTHER_DEPUTY, RESIDENT, rows, triage
from tests.e2e.steps import STREET_ROSTER as ROSTER
from tests.e2e.steps import submit_suggestion as submit


async def test_a_new_suggestion_reaches_the_streets_deputies_as_a_card(street: Sandbox) -> None:
    mark = len(street.shown)
    suggestion = await submit(street, RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    cards = {s.to: s for s in street.shown[mark:] if s.text.startswith("📥 您的街道有一条新建议：")}
    assert set(cards) == {DEPUTY, OTHER_DEPUTY}  # not the deputy of 福保, not the resident
    card = cards[DEPUTY]
    user = (await rows(street, User, User.telegram_id == RESIDENT))[0]
    assert f"来自：居民#{user.pseudonym}" in card.text and not shows_id(card.text, RESIDENT)
    assert "地点：莲花街道 彩田社区" in card.text and "状态：已提交" in card.text
    assert card.buttons == [
        ["转社区办理", "转立法联系点"],
        ["转街道", "报区人大常委会"],
        ["合并", "不予采纳", "追问"],
        ["改类别", "改街道"],
    ]
    [listing] = await street.say(DEPUTY, "/inbox")
    assert listing.text.startswith("<b>待处理的建议</b>") and suggestion.number is not None


@pytest.mark.parametrize(
    ("label", "state", "resident_sees", "points"),
    [
        ("转社区办理", "to_community", "已提交 → 转社区办理", 2),
        ("转立法联系点", "to_legislation", "已提交 → 转立法联系点", 2),
        ("转街道", "to_street", "已提交 → 转街道", 2),
        ("报区人大常委会", "to_district", "已提交 → 报区人大常委会", 3),
    ],
)
async def test_each_forward_target(
    street: Sandbox, label: str, state: str, resident_sees: str, points: int
) -> None:
    suggestion = await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    [confirm] = await street.press(DEPUTY, label)
    assert confirm.method == "editMessageReplyMarkup" and confirm.buttons == [[f"确定：{label}"], ["« 返回"]]
    shown = await street.press(DEPUTY, f"确定：{label}")
    [done] = [s for s in shown if s.to == DEPUTY]
    assert done.text.endswith(f"✅ 已处理：{label}") and done.buttons is None
    [told] = [s for s in shown if s.to == RESIDENT]
    assert resident_sees in told.text and told.text.startswith("您的建议 <b>MS-")
    [changed] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
    assert changed.state == state
    [entry] = await rows(street, PointsEntry)
    assert (entry.action, entry.points) == (state, points)  # the default points table (core/points.py)


async def test_decline_needs_a_reason_and_tells_it(street: Sandbox) -> None:
    await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    [reasons] = await street.press(DEPUTY, "不予采纳")
    assert reasons.buttons[0] == ["与已有建议重复"] and reasons.buttons[-2] == ["✍️ 自己写理由"]
    [prompt] = await street.press(DEPUTY, "✍️ 自己写理由")
    assert prompt.text.startswith("请写下不予采纳的理由")
    [nudge] = await street.say(DEPUTY, "x")
    assert nudge.text == "请写明理由。"
    shown = await street.say(DEPUTY, "社区已有长者饭堂，步行五分钟")
    [told] = [s for s in shown if s.to == RESIDENT]
    assert "已提交 → 不予采纳\n说明：社区已有长者饭堂，步行五分钟" in told.text
    [event] = await rows(street, SuggestionEvent, SuggestionEvent.kind == "decline")
    assert event.reason == "社区已有长者饭堂，步行五分钟" and event.actor_role == "deputy"


async def test_a_common_decline_reason_in_one_tap(street: Sandbox) -> None:
    await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    await street.press(DEPUTY, "不予采纳")
    shown = await street.press(DEPUTY, "已在办理或已经解决")
    assert any(s.to == RESIDENT and "说明：已在办理或已经解决" in s.text for s in shown)


async def test_ask_back_and_the_answer_returns_to_the_card(street: Sandbox) -> None:
    suggestion = await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    await street.press(DEPUTY, "追问")
    shown = await street.say(DEPUTY, "大概每天有多少位老人需要用餐？")
    [question] = [s for s in shown if s.to == RESIDENT]
    assert "大概每天有多少位老人需要用餐？" in question.text and question.buttons == [["回答代表的问题"]]
    [prompt] = await street.press(RESIDENT, "回答代表的问题")
    assert prompt.text.startswith("请写下您的回答")
    shown = await street.say(RESIDENT, "大约三十位，多是独居老人")
    assert any(s.to == RESIDENT and s.text.startswith("谢谢！您的回答已转给代表") for s in shown)
    cards = [s for s in shown if s.to in (DEPUTY, OTHER_DEPUTY)]
    assert len(cards) == 2 and all("回答：大约三十位，多是独居老人" in c.text for c in cards)
    assert all("追问：大概每天有多少位老人需要用餐？" in c.text for c in cards)
    [changed] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
    assert changed.state == "submitted"
    # The same answer button again: the question has been answered.
    [again] = await street.press(RESIDENT, "回答代表的问题")
    assert again.alert


async def test_merge_moves_the_followers(street: Sandbox) -> None:
    first = await submit(street, RESIDENT, "公园里的健身器材坏了，希望更换")
    second = await submit(street, 1005, "希望在社区增设电动自行车充电桩，方便居民充电")
    await street.press(DEPUTY, "合并")  # on the newest card: the second suggestion
    targets = street.shown[-1].buttons
    assert targets[0][0].startswith(f"MS-{first.year}-{first.number:06d}")
    shown = await street.press(DEPUTY, targets[0][0])
    assert any(s.to == 1005 and "已提交 → 已合并" in s.text for s in shown)
    [merged] = await rows(street, Suggestion, Suggestion.id == second.id)
    assert merged.state == "merged" and merged.merged_into_id == first.id
    follower = (await rows(street, User, User.telegram_id == 1005))[0]
    assert await rows(street, Follow, Follow.user_id == follower.id, Follow.suggestion_id == first.id)


async def test_reclassify_and_reassign(street: Sandbox) -> None:
    suggestion = await submit(street, RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    await street.press(DEPUTY, "改类别")
    shown = await street.press(DEPUTY, "公共安全")
    assert any(s.to == DEPUTY and s.text.endswith("✅ 类别已改为：公共安全") for s in shown)
    [correction] = await rows(street, CategoryCorrection)
    assert (correction.predicted, correction.corrected, correction.actor_role) == (
        "services",
        "safety",
        "deputy",
    )
    await street.press(DEPUTY, "改街道")
    shown = await street.press(DEPUTY, "福保街道")
    assert any(s.to == FAR_DEPUTY and s.text.startswith("📥 有一条建议转到了您的街道：") for s in shown)
    [moved] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
    assert moved.state == "submitted" and moved.category == "safety"
    # 张伟 is no longer a deputy of this suggestion's street.
    [refused] = await street.press(DEPUTY, data=f"tk:{moved.id}:{moved.version}:to_street")
    assert refused.text == "这条建议不属于您的街道，您不能处理。" and refused.alert


async def test_on_behalf_of_a_resident(street: Sandbox) -> None:
    [prompt] = await street.say(DEPUTY, "/onbehalf")
    assert prompt.text.startswith("请写下您在联络站听到的居民建议")
    shown = await street.say(DEPUTY, "居民反映菜市场附近早上乱摆摊占道，影响通行")
    [done] = [s for s in shown if s.to == DEPUTY]
    assert done.text.startswith("已代为提交，编号 <b>MS-") and "便民服务" in done.text
    [card] = [s for s in shown if s.to == OTHER_DEPUTY]
    assert "代表代征集" in card.text
    [entry] = await rows(street, PointsEntry)
    assert (entry.action, entry.points) == ("on_behalf", 3)
    [not_deputy] = await street.say(RESIDENT, "/onbehalf")
    assert not_deputy.text == "这个命令只对人大代表开放。"


async def test_two_deputies_press_at_the_same_moment(street: Sandbox) -> None:
    suggestion = await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    await street.press(DEPUTY, "转街道")
    await street.press(OTHER_DEPUTY, "报区人大常委会")
    world = street.server.world

    def both_confirm() -> None:
        world.press(world.people[DEPUTY], "确定：转街道")
        world.press(world.people[OTHER_DEPUTY], "确定：报区人大常委会")

    shown = await street.act(both_confirm)
    events = await rows(
        street,
        SuggestionEvent,
        SuggestionEvent.suggestion_id == suggestion.id,
        SuggestionEvent.kind != "submit",
    )
    assert len(events) == 1  # exactly one action won
    winner = DEPUTY if events[0].kind == "to_street" else OTHER_DEPUTY
    loser = OTHER_DEPUTY if winner == DEPUTY else DEPUTY
    [told] = [s for s in shown if s.to == loser and s.method == "answerCallbackQuery"]
    winner_name = "张伟" if winner == DEPUTY else "李娜"
    assert told.alert and told.text.startswith(f"这条建议已由{winner_name}代表处理")
    assert len([s for s in shown if s.to == RESIDENT]) == 1  # the resident hears once


async def test_forged_and_foreign_presses_change_nothing(street: Sandbox) -> None:
    suggestion = await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    for user, data in [
        (RESIDENT, f"tc:{suggestion.id}:{suggestion.version}:to_district"),  # a resident
        (FAR_DEPUTY, f"tc:{suggestion.id}:{suggestion.version}:to_district"),  # another street
        (DEPUTY, f"tc:{suggestion.id}:{suggestion.version + 5}:to_district"),  # a stale version
        (DEPUTY, f"tc:{suggestion.id}:{suggestion.version}:delete_everything"),  # no such action
        (DEPUTY, f"tm:{suggestion.id}:{suggestion.version}:{suggestion.id}"),  # merge into itself
        (DEPUTY, "td:999999:0:0"),  # no such suggestion
    ]:
        [refused] = await street.press(user, data=data)
        assert refused.method == "answerCallbackQuery" and refused.alert, data
    [unchanged] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
    assert unchanged.state == "submitted" and unchanged.version == suggestion.version
    assert await rows(street, PointsEntry) == []


async def test_staff_feasibility_and_admin_nomination(street: Sandbox) -> None:
    suggestion = await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    await street.press(DEPUTY, "报区人大常委会")
    await street.press(DEPUTY, "确定：报区人大常委会")
    # The admin invites a department's staff member in chat.
    await street.say(ADMIN_ID, "/invite", name="Admin")
    await street.press(ADMIN_ID, "邀请承办部门工作人员")
    [link] = await street.say(ADMIN_ID, "区民政局")
    token = link.text.split("?start=")[1].strip()
    [welcome] = await street.say(3001, f"/start {token}", name="赵科长")
    assert welcome.text.startswith("欢迎！您已登记为区民政局的工作人员。")
    [used] = await street.say(3002, f"/start {token}")
    assert used.text == "这个邀请链接已经用过了。"
    assert (await rows(street, StaffMember))[0].department == "区民政局"
    [pool] = await street.say(3001, "/pool")
    assert pool.text.startswith("<b>区级需求池</b>")
    [card] = await street.press(3001, pool.buttons[0][0])
    assert card.buttons == [["论证可行", "论证不可行"]]
    await street.press(3001, "论证不可行")
    shown = await street.say(3001, "今年预算已用完")
    assert any(
        s.to == RESIDENT and "报区人大常委会 → 论证不可行\n说明：今年预算已用完" in s.text for s in shown
    )
    # A second suggestion is found feasible and nominated by the admin.
    second = await submit(street, 1005, "希望在社区增设电动自行车充电桩，方便居民充电")
    await street.press(DEPUTY, "报区人大常委会")
    await street.press(DEPUTY, "确定：报区人大常委会")
    [pool] = await street.say(3001, "/pool")
    await street.press(3001, pool.buttons[0][0])
    await street.press(3001, "论证可行")
    [listing] = await street.say(ADMIN_ID, "/candidates")
    [card] = await street.press(ADMIN_ID, listing.buttons[0][0])
    assert card.buttons == [["列为候选项目"]]
    [offered] = await street.press(ADMIN_ID, "列为候选项目")
    # The admin is shown the neutral prefilled title to confirm or replace, never the raw text.
    assert offered.text.startswith("候选项目标题：<b>便民服务类民生实事建议 MS-")
    assert "充电桩" not in offered.text and offered.buttons == [["用这个标题"]]
    await street.press(ADMIN_ID, "用这个标题")
    states = {s.id: s.state for s in await rows(street, Suggestion)}
    assert states[suggestion.id] == "infeasible" and states[second.id] == "candidate"
    # The candidate's title is neutral: its category and tracking number, never the resident's
    # own words (issue 13, fault 5).
    [item] = await rows(street, CandidateItem)
    [nominated] = await rows(street, Suggestion, Suggestion.id == second.id)
    assert item.title == f"便民服务类民生实事建议 {tracking(nominated)}" or item.title.endswith(
        tracking(nominated)
    )
    assert "充电桩" not in item.title and "电动自行车" not in item.title


async def test_deputy_invite_deactivate_and_move(street: Sandbox) -> None:
    await street.say(ADMIN_ID, "/invite", name="Admin")
    await street.press(ADMIN_ID, "邀请人大代表")
    [link] = await street.press(ADMIN_ID, "华强北街道")
    token = link.text.split("?start=")[1].strip()
    [welcome] = await street.say(2009, f"/start {token}", name="孙代表")
    assert welcome.text.startswith("欢迎！您已登记为华强北街道的人大代表。")
    [listing] = await street.say(ADMIN_ID, "/deputies")
    label = next(label for row in listing.buttons for label in row if label.startswith("张伟"))
    [detail] = await street.press(ADMIN_ID, label)
    assert "街道：莲花街道\n状态：在任" in detail.text
    [stopped] = await street.press(ADMIN_ID, "停用")
    assert "状态：已停用" in stopped.text
    [greeting] = await street.say(DEPUTY, "/start")
    assert "您是莲花街道的人大代表" not in greeting.text and "居民#" in greeting.text  # a resident again
    await street.press(ADMIN_ID, "重新启用")
    [moved] = await street.press(ADMIN_ID, "调到福保街道")
    assert "街道：福保街道" in moved.text
    # Each change is on the record: who made it, when, and the streets of a move.
    [zhang] = await rows(street, Deputy, Deputy.telegram_id == DEPUTY)
    [admin] = await rows(street, User, User.telegram_id == ADMIN_ID)
    events = await rows(street, DeputyEvent, DeputyEvent.deputy_id == zhang.id)
    assert [(e.kind, e.actor_id) for e in events] == [
        ("deactivate", admin.id),
        ("activate", admin.id),
        ("move", admin.id),
    ]
    streets = {row.name: row.id for row in await rows(street, Street)}
    assert (events[2].old_street_id, events[2].new_street_id) == (streets["莲花街道"], streets["福保街道"])
    assert all(event.at is not None for event in events)


async def test_expired_invitation(street: Sandbox) -> None:
    await street.say(ADMIN_ID, "/invite", name="Admin")
    await street.press(ADMIN_ID, "邀请人大代表")
    [link] = await street.press(ADMIN_ID, "华强北街道")
    token = link.text.split("?start=")[1].strip()
    await street.advance_clock(street.clock.now().replace(year=street.clock.now().year + 1))
    [expired] = await street.say(2009, f"/start {token}")
    assert expired.text.startswith("这个邀请链接已过期")


async def test_points_ledger_rank_and_export(street: Sandbox) -> None:
    for text in ("希望社区开设老年食堂，方便独居老人吃饭", "公园里的健身器材坏了，希望更换"):
        await submit(street, RESIDENT, text)
        await street.press(DEPUTY, "报区人大常委会")
        await street.press(DEPUTY, "确定：报区人大常委会")
    await street.say(OTHER_DEPUTY, "/onbehalf")
    await street.say(OTHER_DEPUTY, "居民反映菜市场附近早上乱摆摊占道，影响通行")
    [ledger] = await street.say(DEPUTY, "/points")
    assert ledger.text.startswith("<b>履职积分</b>：6 分，排名 1/3")  # 2 × 3 for 报区人大常委会
    assert ledger.text.count("报区人大常委会 +3") == 2
    [other] = await street.say(OTHER_DEPUTY, "/points")
    assert other.text.startswith("<b>履职积分</b>：3 分，排名 2/3")
    [resident] = await street.say(RESIDENT, "/points")
    assert resident.text == "这个命令只对人大代表开放。"
    shown = await street.say(ADMIN_ID, "/export", name="Admin")
    files = {s.file: s for s in shown}
    csv_name = next(name for name in files if name.endswith(".csv"))
    xlsx_name = next(name for name in files if name.endswith(".xlsx"))
    stored = {f.name: f.content for f in street.server.world.files.values()}
    table = list(csv.reader(io.StringIO(stored[csv_name].decode("utf-8-sig"))))
    assert table[0][:4] == ["代表", "Telegram 账号 ID", "事项", "积分"]
    assert sorted((row[0], row[2], int(row[3])) for row in table[1:]) == [
        ("张伟", "报区人大常委会", 3),
        ("张伟", "报区人大常委会", 3),
        ("李娜", "代征集", 3),
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(stored[xlsx_name])).active
    assert sum(row[3] for row in sheet.iter_rows(min_row=2, values_only=True)) == 9
    await asyncio.sleep(0)


async def test_a_configured_points_table(database_url: str, data_dir) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    async with Sandbox(
        make_settings(database_url, data_dir, points_table={"to_district": 7, "ask": 0})
    ) as sandbox:
        await seed_areas_and_roster(sandbox, ROSTER)
        await sandbox.say(DEPUTY, "/start", name="张伟")
        await submit(sandbox, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
        await sandbox.press(DEPUTY, "追问")
        await sandbox.say(DEPUTY, "在哪个小区？")
        await sandbox.press(DEPUTY, "报区人大常委会")
        await sandbox.press(DEPUTY, "确定：报区人大常委会")
        assert [(e.action, e.points) for e in await rows(sandbox, PointsEntry)] == [("to_district", 7)]
        [ledger] = await sandbox.say(DEPUTY, "/points")
        assert ledger.text.startswith("<b>履职积分</b>：7 分")


async def test_every_menu_button_answers(street: Sandbox) -> None:
    """No dead button: each role's menu buttons lead somewhere."""
    await street.say(ADMIN_ID, "/start", name="Admin")
    await street.say(3001, "/start", name="赵科长")
    for user in (RESIDENT, DEPUTY, ADMIN_ID):
        [menu] = await street.say(user, "/start")
        for label in (label for row in menu.buttons for label in row):
            shown = await street.press(user, label)
            assert shown, (user, label)
            assert not any(s.alert and "失效" in s.text for s in shown), (user, label)
    [points] = await street.press(DEPUTY, "履职积分")
    assert points.text.startswith("<b>履职积分</b>")
    [inbox] = await street.press(ADMIN_ID, "待处理的建议")
    assert inbox.text.startswith("收件箱是空的")


async def test_cancel_a_typed_reason(street: Sandbox) -> None:
    await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    await street.press(DEPUTY, "不予采纳")
    await street.press(DEPUTY, "✍️ 自己写理由")
    [cancelled] = await street.say(DEPUTY, "/cancel")
    assert cancelled.text == "已取消。"
    assert (await rows(street, Suggestion))[0].state == "submitted"


async def test_tied_points_share_a_rank(street: Sandbox) -> None:
    """Equal points share a rank and the next rank skips (1, 1, 3): two deputies with 3 points
    each are both 1st of 3; the one with none is 3rd, not 2nd."""
    await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    await triage(street, DEPUTY, "报区人大常委会")
    await submit(street, RESIDENT, "公园里的健身器材坏了，希望更换")
    await triage(street, OTHER_DEPUTY, "报区人大常委会")
    [first] = await street.say(DEPUTY, "/points")
    [second] = await street.say(OTHER_DEPUTY, "/points")
    [last] = await street.say(FAR_DEPUTY, "/points")
    assert first.text.startswith("<b>履职积分</b>：3 分，排名 1/3"), first.text
    assert second.text.startswith("<b>履职积分</b>：3 分，排名 1/3"), second.text
    assert last.text.startswith("<b>履职积分</b>：0 分，排名 3/3"), last.text

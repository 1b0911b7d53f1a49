"""A resident's suggestion, end to end: intake, category, place, photo, name, tracking, /my."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import select

from bot.db.models import Attachment, CategoryCorrection, Follow, Suggestion, SuggestionEvent, User
from bot.runtime.app import build_classifier
from bot.sandbox.session import Sandbox
from bot.services.container import Services
from bot.services.suggestions import tracking
from bot.services.users import TelegramPerson
from core.categories import default_categories
from core.roles import Role
from core.workflow import Action
from tests.conftest import seed_areas_and_roster
from tests.e2e.steps import draft_suggestion, rows, submit_suggestion

LAMP = "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全"
TRACKING = re.compile(r"MS-\d{4}-\d{6}")


async def submit_lamp(sandbox: Sandbox, user: int = 1001, text: str = LAMP) -> str:
    """The shortest path (confirm, 莲花街道 彩田社区, no photo, pseudonym): its tracking number."""
    return tracking(await submit_suggestion(sandbox, user, text))


async def test_a_resident_suggestion_from_text_to_tracking_number(sandbox: Sandbox, tmp_path: Path) -> None:
    await seed_areas_and_roster(sandbox)
    [card] = await sandbox.say(1001, LAMP, name="王阿姨", lang="zh-hans")
    assert card.text == "收到！我理解这是【便民服务】方面的建议。对吗？"
    assert card.buttons == [["✅ 对，就是这类", "🔄 选其他类别"], ["✖️ 不提交了"]]

    edited, streets = await sandbox.press(1001, "✅ 对，就是这类")
    assert edited.method == "editMessageText" and edited.text == "类别：便民服务"
    assert streets.text == "这条建议涉及哪个街道？" and ["香蜜湖街道", "莲花街道"] in streets.buttons

    _street, communities = await sandbox.press(1001, "莲花街道")
    assert communities.text == "哪个社区？" and communities.buttons[0] == ["彩田社区", "景华社区"]

    _community, photo_prompt = await sandbox.press(1001, "彩田社区")
    assert photo_prompt.text.startswith("有现场照片吗？")
    picture = tmp_path / "lamp.jpg"
    picture.write_bytes(b"\xff\xd8\xff lamp")
    received, share = await sandbox.photo(1001, picture)
    assert received.text == "照片已收到。"
    assert share.buttons[1] == ["显示我的名字 王阿姨"]

    _edit, done = await sandbox.press(1001, share.buttons[0][0])
    assert done.text.startswith("✅ 已提交！编号 <b>MS-")
    assert "类别：便民服务\n地点：莲花街道 彩田社区" in done.text

    [suggestion] = await rows(sandbox, Suggestion)
    assert suggestion.state == "submitted" and suggestion.number == 1
    assert suggestion.category == "services" and not suggestion.share_name
    assert TRACKING.search(done.text).group(0) == f"MS-{suggestion.year}-000001"
    assert [(e.kind, e.old_state, e.new_state) for e in await rows(sandbox, SuggestionEvent)] == [
        ("submit", "draft", "submitted")
    ]
    assert len(await rows(sandbox, Attachment)) == 1
    assert len(await rows(sandbox, Follow)) == 1  # the author follows their own suggestion
    [user] = await rows(sandbox, User, User.telegram_id == 1001)
    assert user.home_street_id == suggestion.street_id and user.home_community_id == suggestion.community_id


async def test_tracking_numbers_count_up_and_the_place_is_remembered(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    first = await submit_lamp(sandbox)
    [card] = await sandbox.say(1001, "希望在社区增设电动自行车充电桩，方便居民充电")
    assert "便民服务" in card.text
    _edit, keep = await sandbox.press(1001, "✅ 对，就是这类")
    assert keep.text == "地点还是 莲花街道 彩田社区 吗？"
    await sandbox.press(1001, "📍 就是这里")
    await sandbox.press(1001, "跳过，不发照片")
    share = sandbox.shown[-1]
    [_edit, done] = await sandbox.press(1001, share.buttons[0][0])
    second = TRACKING.search(done.text).group(0)
    assert int(second[-6:]) == int(first[-6:]) + 1


async def test_a_corrected_category_is_kept_as_training_data(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    await sandbox.say(1001, LAMP)
    _edit = await sandbox.press(1001, "🔄 选其他类别")
    assert _edit[0].text == "请选择最接近的类别："
    assert _edit[0].buttons[0][0] == "便民服务"  # the likeliest stays first
    # The three likeliest (as the classifier ranks them) on the first row, then the rest in the
    # office's order (issue 16).
    categories = default_categories()
    zh = {category.code: category.zh for category in categories}
    best = build_classifier(sandbox.settings).classify(LAMP).ranked[:3]
    assert _edit[0].buttons[0] == [zh[code] for code in best]
    rest = [category.zh for category in categories if category.code not in best]
    assert [label for row in _edit[0].buttons[1:-1] for label in row] == rest
    assert _edit[0].buttons[-1] == ["✖️ 不提交了"]
    await sandbox.press(1001, "公共安全")
    await submit_suggestion(sandbox, 1001, community="不确定 / 其他")
    [correction] = await rows(sandbox, CategoryCorrection)
    assert (correction.predicted, correction.corrected, correction.actor_role) == (
        "services",
        "safety",
        "resident",
    )
    assert correction.text == LAMP


async def test_an_unclear_text_asks_for_the_category_and_english_works(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    [card] = await sandbox.say(1002, "Something should be done about this, please", lang="en")
    assert card.text == "Got it! Please pick the category this suggestion belongs to:"
    assert len([label for row in card.buttons for label in row]) == 11  # ten categories and cancel
    edit, streets = await sandbox.press(1002, "Culture and sports")
    assert edit.text == "Category: Culture and sports"
    assert streets.text == "Which street is this about?"


async def test_a_near_duplicate_is_offered_to_follow(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    first = await submit_lamp(sandbox, 1001)
    await sandbox.say(1003, "小区门口路灯坏了几个月了，晚上老人出门不安全", name="李先生")
    asked = await draft_suggestion(sandbox, 1003)
    _edit, offer = await sandbox.press(1003, asked.buttons[0][0])
    assert offer.text.startswith("您所在街道已经有一条相似的建议：\n<b>" + first)
    assert offer.buttons == [[f"👀 关注 {first}"], ["仍然提交我的建议"]]
    [followed] = await sandbox.press(1003, f"👀 关注 {first}")
    assert followed.text.startswith(f"好的，您已关注 <b>{first}</b>")
    [user] = await rows(sandbox, User, User.telegram_id == 1003)
    assert len(await rows(sandbox, Follow, Follow.user_id == user.id)) == 1
    states = [s.state for s in await rows(sandbox, Suggestion)]
    assert states == ["submitted", "abandoned"]


async def test_submit_anyway_after_the_offer(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    await submit_lamp(sandbox, 1001)
    asked = await draft_suggestion(sandbox, 1003, LAMP)
    await sandbox.press(1003, asked.buttons[0][0])
    _edit, done = await sandbox.press(1003, "仍然提交我的建议")
    assert done.text.startswith("✅ 已提交！")
    assert [s.state for s in await rows(sandbox, Suggestion)] == ["submitted", "submitted"]


async def test_my_lists_details_history_and_withdraws(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    number = await submit_lamp(sandbox, 1001)
    [listing] = await sandbox.say(1001, "/my")
    assert listing.text.startswith("<b>我的建议</b>（第 1/1 页）")
    assert f"<b>{number}</b> · 已提交" in listing.text
    [detail] = await sandbox.press(1001, number)
    assert detail.method == "editMessageText"
    assert "类别：便民服务" in detail.text and "状态：已提交" in detail.text and LAMP in detail.text
    assert "<b>进展</b>\n" in detail.text and detail.text.rstrip().endswith("已提交")
    assert detail.buttons == [["撤回这条建议"], ["« 返回我的建议"]]

    # Someone else follows it, and will hear of the withdrawal.
    async with sandbox.runtime.session_factory() as session:
        services = Services(session, sandbox.clock, sandbox.settings)
        follower, _new = await services.users.touch(TelegramPerson(1009, "关注者", "en"))
        sandbox.person(1009, "关注者", "en")
        [suggestion] = (await session.exec(select(Suggestion))).all()
        await services.suggestions.follow(follower, suggestion)
        await session.commit()

    [confirm] = await sandbox.press(1001, "撤回这条建议")
    assert confirm.text.startswith(f"确定撤回 <b>{number}</b> 吗？")
    shown = await sandbox.press(1001, "确定撤回")
    assert [s.text for s in shown if s.to == 1001] == [f"已撤回 <b>{number}</b>。"]
    [told] = [s for s in shown if s.to == 1009]
    assert told.text == f"A suggestion you follow, <b>{number}</b>, has moved on:\nSubmitted → Withdrawn"
    # A second press on the stale confirmation changes nothing.
    [refused] = await sandbox.press(1001, data=f"sw:{(await rows(sandbox, Suggestion))[0].id}:1")
    assert refused.text == "这条建议已经有代表处理，不能再撤回了。" and refused.alert


async def test_my_is_empty_and_paged(sandbox: Sandbox) -> None:
    [empty] = await sandbox.say(1001, "/my")
    assert empty.text.startswith("您还没有提交或关注过建议。")
    await seed_areas_and_roster(sandbox)
    for index in range(6):
        # (a near-duplicate offer is answered "submit anyway": these are distinct wishes)
        await submit_suggestion(sandbox, 1001, f"第{index}号建议：希望在公园增加健身器材和篮球场{index}")
    [listing] = await sandbox.say(1001, "/my")
    assert "（第 1/2 页）" in listing.text and listing.buttons[-1] == ["下一页 »"]
    [page_two] = await sandbox.press(1001, "下一页 »")
    assert "（第 2/2 页）" in page_two.text and page_two.buttons[-1] == ["« 上一页"]


async def test_a_deputy_action_notifies_the_resident_in_their_language(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    await sandbox.say(1002, "/start", lang="en")
    [card] = await sandbox.say(1002, "Please fix the broken street lights near the market", lang="en")
    assert card.text == "Got it! I understand this is about <b>Everyday services</b>. Is that right?"
    *_confirmed, streets = await sandbox.press(1002, "✅ Yes, that's it")
    assert ["Xiangmihu", "Lianhua"] in streets.buttons  # the area file's English names
    for label in ("Lianhua", "彩田社区", "Skip, no photo"):
        await sandbox.press(1002, label)
    await sandbox.press(1002, sandbox.shown[-1].buttons[0][0])
    # A triage action as the deputies' flow will make it (through the one state-changing path).
    async with sandbox.runtime.session_factory() as session:
        services = Services(session, sandbox.clock, sandbox.settings)
        deputy, _ = await services.users.touch(TelegramPerson(2001, "张伟", None))
        [suggestion] = (await session.exec(select(Suggestion))).all()
        event = await services.suggestions.move(
            suggestion, Action.TO_STREET, deputy, Role.DEPUTY, "街道本月安排"
        )
        recipients = await services.suggestions.followers(suggestion)
        # Queued in the same transaction as the change, sent by the outbox after the commit.
        notifier = sandbox.runtime.notifier
        assert await notifier.suggestion_changed(session, suggestion, event, recipients) == 1
        mark = len(sandbox.shown)
        await session.commit()
    await sandbox.idle()
    [told] = sandbox.shown[mark:]
    assert told.to == 1002
    assert told.text.startswith("Your suggestion <b>MS-")
    assert (
        "Submitted → Passed to the street office\nNote: 街道本月安排\nSend /my for the details." in told.text
    )


async def test_a_second_similar_suggestion_by_the_same_resident(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    first = await submit_lamp(sandbox, 1001)
    asked = await draft_suggestion(sandbox, 1001, LAMP)  # the remembered place
    _edit, offer = await sandbox.press(1001, asked.buttons[0][0])
    assert offer.text.startswith(f"您已经提交过一条相似的建议：\n<b>{first}</b>")
    assert offer.buttons == [[f"不重复提交了（保留 {first}）"], ["仍然提交我的建议"]]
    [done] = await sandbox.press(1001, f"不重复提交了（保留 {first}）")
    assert done.text == f"好的，没有重复提交。<b>{first}</b> 的进展会通知您。"


async def test_a_follower_who_blocked_the_bot_is_marked_not_retried(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    number = await submit_lamp(sandbox, 1001)
    async with sandbox.runtime.session_factory() as session:
        services = Services(session, sandbox.clock, sandbox.settings)
        follower, _new = await services.users.touch(TelegramPerson(1009, "关注者", None))
        [suggestion] = (await session.exec(select(Suggestion))).all()
        await services.suggestions.follow(follower, suggestion)
        await session.commit()
    sandbox.person(1009).blocked_bot = True
    await sandbox.say(1001, "/my")
    await sandbox.press(1001, number)
    await sandbox.press(1001, "撤回这条建议")
    shown = await sandbox.press(1001, "确定撤回")
    assert [s.to for s in shown] == [1001]  # the author's confirmation; nothing reached 1009
    assert sandbox.server.stats["403"] == 1
    [blocked] = await rows(sandbox, User, User.telegram_id == 1009)
    assert blocked.is_blocked


async def test_the_year_export_gives_each_suggestion_its_own_history(sandbox: Sandbox) -> None:
    from bot.exports.annual import year_tables

    await seed_areas_and_roster(sandbox)
    first = await submit_lamp(sandbox, 1001)
    second = await submit_lamp(sandbox, 1003, "建议在学校门口增设红绿灯和斑马线，孩子上学过马路太危险")
    await sandbox.say(1001, "/my")
    await sandbox.press(1001, first)
    await sandbox.press(1001, "撤回这条建议")
    await sandbox.press(1001, "确定撤回")
    i18n = sandbox.runtime.i18n  # type: ignore[union-attr]
    # As its callers do (bot/exports/annual.py): in an i18n context with the office's language.
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        with i18n.context(), i18n.use_locale("zh_CN"):
            tables = await year_tables(session, sandbox.clock.now().year, sandbox.settings.tz)
    [suggestions] = [table for table in tables if table.name == "建议"]
    history = {row[0]: row[-1] for row in suggestions.rows}
    # States in the office's language (the export layer's labels).
    assert history[first].count("→") == 2 and history[first].endswith("已提交→已撤回")
    assert history[first].split("；")[0].endswith("草稿→已提交")
    assert history[second].count("→") == 1 and history[second].endswith("草稿→已提交")

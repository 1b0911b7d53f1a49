"""Issue 14: every message arrives whole, once and readable (faults numbered as in the issue)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from bot.db.models import Suggestion
from bot.sandbox.session import Sandbox
from tests.conftest import seed_areas_and_roster
from tests.e2e.steps import DEPUTY, LAMP_PHOTO, OTHER_DEPUTY, RESIDENT, rows, submit_suggestion

APOLOGY = "抱歉，处理时出了点问题"
NOT_ABANDONED = col(Suggestion.state) != "abandoned"


def apologies(sandbox: Sandbox) -> list[str]:
    return [s.text for s in sandbox.shown if APOLOGY in s.text]


async def test_fault_4_one_press_gets_one_answer_with_the_real_reason(street: Sandbox) -> None:
    await submit_suggestion(street, RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    [answer] = await street.press(DEPUTY, "合并")
    assert answer.method == "answerCallbackQuery" and answer.alert
    assert answer.text == "本街道没有可以合并的其他建议。"
    assert not apologies(street)


async def test_fault_5_acting_on_a_photo_card_edits_its_caption(street: Sandbox) -> None:
    mark = len(street.shown)
    suggestion = await submit_suggestion(
        street, RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全", photo=LAMP_PHOTO
    )
    [card] = [s for s in street.shown[mark:] if s.to == DEPUTY and s.method == "sendPhoto"]
    assert card.text.startswith("📥")
    await street.press(DEPUTY, "转社区办理")
    shown = await street.press(DEPUTY, "确定：转社区办理")
    [done] = [s for s in shown if s.to == DEPUTY]
    assert done.method == "editMessageCaption" and done.text.endswith("✅ 已处理：转社区办理")
    [stored] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
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

    suggestion = await submit_suggestion(street, RESIDENT, LONG_TEXT)
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
    await submit_suggestion(street, RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    await street.press(DEPUTY, "追问")
    [refused] = await street.say(DEPUTY, "问" * 2001)
    assert refused.text == "您写了 2001 字，超过了 2000 字的上限，没有保存。请精简后再发送。"
    # Still asking: a shorter question is taken.
    shown = await street.say(DEPUTY, "问" * 1500)
    [question] = [s for s in shown if s.to == RESIDENT]
    assert "问" * 1500 in question.text or "全文" in str(question.buttons)


TYPED = 'A&B 先做 <90天> 预算>280万元 "加急"'  # every character HTML gives a meaning to


def readable(html_text: str) -> str:
    """What Telegram shows for the bot's HTML: entities are read once."""
    from bot.sandbox.markup import visible_text

    return visible_text(html_text, "HTML")


async def test_fault_3_typed_text_is_escaped_exactly_once_everywhere(sandbox: Sandbox) -> None:
    from datetime import timedelta

    from aiohttp.test_utils import TestClient, TestServer

    from bot.web.board import Board, build_board_app
    from tests.e2e.steps import DIGEST_READER, STAFF, seed_project

    now = sandbox.clock.now()
    tuesday = (now + timedelta(days=(1 - now.weekday()) % 7 + 7)).replace(hour=12, minute=0, second=0)
    await sandbox.advance_clock(tuesday)
    await seed_project(sandbox)
    await sandbox.say(DIGEST_READER, "/projects")
    await sandbox.press(DIGEST_READER, "养老济困（1）")
    await sandbox.press(DIGEST_READER, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(DIGEST_READER, "⭐ 关注")
    await sandbox.say(STAFF, "/report")
    await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(STAFF, "📋 提交实施方案")
    await sandbox.say(STAFF, TYPED)
    await sandbox.press(STAFF, "跳过，不附文件")
    await sandbox.press(STAFF, "✅ 确认提交")
    # The project card's 最近动态, as a follower opens it.
    await sandbox.say(DIGEST_READER, "/projects")
    await sandbox.press(DIGEST_READER, "养老济困（1）")
    [card] = await sandbox.press(DIGEST_READER, "#1 新建社区长者饭堂 · 0%")
    assert TYPED in readable(card.text)
    # The Monday digest.
    shown = await sandbox.advance_clock((tuesday + timedelta(days=6)).replace(hour=9, minute=0))
    [digest] = [s for s in shown if "本周项目进展" in s.text]
    assert TYPED in readable(digest.text)
    # The public board's timeline (HTML read once by a browser) and its JSON.
    runtime = sandbox.runtime
    board = Board(runtime.session_factory, runtime.i18n, runtime.settings, runtime.bot)  # type: ignore[union-attr]
    client = TestClient(TestServer(build_board_app(board)))
    await client.start_server()
    try:
        page = await (await client.get("/projects/1")).text()
        assert "&amp;amp;" not in page and "&amp;lt;" not in page
        assert "A&amp;B 先做 &lt;90天&gt; 预算&gt;280万元" in page
        timeline = (await (await client.get("/api/projects/1")).json())["timeline"]
        assert TYPED in [event["text"] for event in timeline]
    finally:
        await client.close()
    # No entity shows anywhere in chat.
    for shown_text in (s.text for s in sandbox.shown):
        assert "&amp;" not in readable(shown_text) and "&lt;" not in readable(shown_text)


async def test_fault_3_button_labels_are_plain_text(street: Sandbox) -> None:
    await submit_suggestion(street, RESIDENT, "A&B路口 <占道> 经营，晚上很吵，希望管理一下")
    await submit_suggestion(street, RESIDENT, "A&B路口 <占道> 经营又来了，晚上很吵，希望管理一下")
    [targets] = await street.press(DEPUTY, "合并")
    labels = [label for row in targets.buttons for label in row]
    assert any("A&B路口 <占道>" in label for label in labels)
    assert not any("&amp;" in label or "&lt;" in label for label in labels)


async def test_fault_6_an_album_is_one_suggestion_with_all_its_photos(
    street: Sandbox, tmp_path: Path
) -> None:
    from bot.db.models import Attachment

    photos = []
    for n in range(3):
        photos.append(tmp_path / f"p{n}.jpg")
        photos[-1].write_bytes(b"\xff\xd8\xff photo %d" % n)
    shown = await street.album(RESIDENT, photos, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    assert next(s.text for s in shown if s.to == RESIDENT).startswith("收到！")
    assert not any("按钮" in s.text for s in shown)  # the other photos are not told to use buttons
    await street.press(RESIDENT, "✅ 对，就是这类")
    await street.press(RESIDENT, "莲花街道")
    shown = await street.press(RESIDENT, "彩田社区")
    assert "已收到 3 张照片。" in [s.text for s in shown]
    assert not any("有现场照片吗" in s.text for s in shown)  # not asked for a photo again
    await street.press(RESIDENT, street.shown[-1].buttons[0][0])
    [suggestion] = await rows(street, Suggestion, NOT_ABANDONED)
    async with street.runtime.session_factory() as session:  # type: ignore[union-attr]
        attached = (
            await session.exec(select(Attachment).where(Attachment.suggestion_id == suggestion.id))
        ).all()
    assert suggestion.state == "submitted" and len(attached) == 3
    assert not apologies(street)


async def test_fault_7_an_edit_revises_the_draft_and_is_answered_after_submission(street: Sandbox) -> None:
    assert "edited_message" in street.server.world.allowed_updates  # polling asks for what routers use
    await street.say(RESIDENT, "我们小区3栋门口的路灯坏了好几个月，晚上老人出门很不安全")
    [told] = await street.edit(RESIDENT, "我们小区5栋门口的路灯坏了好几个月，晚上老人出门很不安全")
    assert told.text == "已按您修改后的文字更新了这条建议的草稿。"
    mark = len(street.shown)
    suggestion = await submit_suggestion(street, RESIDENT)
    assert "5栋" in suggestion.text and "3栋" not in suggestion.text
    [card] = [s for s in street.shown[mark:] if s.to == DEPUTY and s.text.startswith("📥")]
    assert "5栋" in card.text
    [after] = await street.edit(RESIDENT, "我们小区7栋门口的路灯坏了")
    assert after.text.startswith("修改已发出的消息不会改变已提交的建议。")
    assert "5栋" in (await rows(street, Suggestion, NOT_ABANDONED))[-1].text
    assert not apologies(street)


async def test_the_long_texts_and_albums_sample_replays_without_an_apology(
    database_url: str, data_dir: Path
) -> None:
    """samples/long_and_albums.jsonl: a 1,990-character suggestion corrected by an edit, two long
    questions and answers, 全文 and 合并 pressed twice, an edit after submission, an album."""
    import io
    import json

    from bot.sandbox.cli import ensure_sample_areas
    from bot.sandbox.script import read_script, run_script
    from tests.conftest import make_settings

    samples = Path(__file__).resolve().parents[2] / "samples"
    async with Sandbox(make_settings(database_url, data_dir)) as sandbox:
        await ensure_sample_areas(sandbox)
        out = io.StringIO()
        errors = await run_script(sandbox, read_script(samples / "long_and_albums.jsonl"), samples, out)
        stored = await rows(sandbox, Suggestion, NOT_ABANDONED)
    assert errors == []
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert not [line for line in lines if APOLOGY in line["text"]]
    assert [s.text.count("5栋") for s in stored][:1] == [1]  # the edit of the draft was kept
    full = [line for line in lines if line["step"] == 19]
    assert len(full) == 2 and stored[0].text.startswith(full[0]["text"].split("\n\n", 1)[1][:100])
    assert [line["text"] for line in lines if line["step"] in (21, 22)] == [
        "本街道没有可以合并的其他建议。"
    ] * 2
    assert any(line["step"] == 29 and line["text"] == "已收到 3 张照片。" for line in lines)

"""Projects end to end: following, plans and reports, milestones, changes with reasons,
supervision, inspections, feedback, deadlines, the weekly digest, quiet hours, announcements."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.db.models import Delivery, Project, ProjectEvent, User
from bot.sandbox.markup import utf16_length
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID, make_settings
from tests.e2e.steps import (
    DIGEST_READER,
    FOLLOWER,
    LAMP_PHOTO,
    STAFF,
    SUPERVISOR,
    report_progress,
    rows,
    seed_project,
)

LAMP = LAMP_PHOTO
seed = seed_project


async def open_card(sandbox: Sandbox, user: int) -> None:
    await sandbox.say(user, "/projects")
    await sandbox.press(user, "养老济困（1）")
    await sandbox.press(user, "#1 新建社区长者饭堂 · 0%")


async def project(sandbox: Sandbox) -> Project:
    async with sandbox.runtime.session_factory() as session:
        return (await session.exec(select(Project))).one()


async def test_follow_report_milestone_change_inspection_feedback(sandbox: Sandbox) -> None:
    await seed(sandbox)
    # A resident follows and wants every update; another takes the weekly digest (the default).
    await open_card(sandbox, FOLLOWER)
    card, toast = await sandbox.press(FOLLOWER, "⭐ 关注")  # the answer comes after the edit
    assert "已关注" in toast.text
    assert [b for row in card.buttons for b in row if b.startswith("✅")] == ["✅ 每周摘要"]
    await sandbox.press(FOLLOWER, "每次更新")
    await open_card(sandbox, DIGEST_READER)
    await sandbox.press(DIGEST_READER, "⭐ 关注")
    # The admin names the supervision group.
    await open_card(sandbox, ADMIN_ID)
    await sandbox.press(ADMIN_ID, "👥 监督组")
    [group] = await sandbox.press(ADMIN_ID, "张伟")
    assert "✅ 张伟" in [b for row in group.buttons for b in row]

    # The department files its plan: the group and the every-update follower hear of it.
    [mine] = await sandbox.say(STAFF, "/report")
    assert mine.buttons == [["#1 新建社区长者饭堂 · 0%"]]  # its own projects, no category browsing
    [card] = await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
    assert "实施方案截止" in card.text
    await sandbox.press(STAFF, "📋 提交实施方案")
    await sandbox.say(STAFF, "3月开工，6月主体完工，9月投入使用；资金分三期拨付。")
    [preview] = await sandbox.press(STAFF, "跳过，不附文件")
    assert "请确认实施方案" in preview.text
    shown = await sandbox.press(STAFF, "✅ 确认提交")
    told = {s.to for s in shown if "实施方案已提交" in s.text}
    assert told == {SUPERVISOR, FOLLOWER}

    # A progress report with a milestone and a photo reaches digest followers at once too.
    await sandbox.say(STAFF, "/report")
    await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(STAFF, "📈 报告进度")
    [asked] = await sandbox.say(STAFF, "一半吧")
    assert "0 到 100" in asked.text
    await sandbox.press(STAFF, "40%")
    [asked] = await sandbox.say(STAFF, "很多")
    assert "没有看懂金额" in asked.text
    await sandbox.say(STAFF, "120万元")
    await sandbox.say(STAFF, "主体完工")
    await sandbox.say(STAFF, "主体结构已封顶，开始内部装修。")
    [preview] = await sandbox.photo(STAFF, LAMP)
    assert (
        "进度：40%" in preview.text and "累计支出：120万元" in preview.text and "附件：照片" in preview.text
    )
    confirm = sandbox.button_data(STAFF, "✅ 确认提交")
    shown = await sandbox.press(STAFF, "✅ 确认提交")
    milestone = [s for s in shown if "到达里程碑：主体完工" in s.text]
    assert {s.to for s in milestone} == {SUPERVISOR, FOLLOWER, DIGEST_READER}
    assert all(s.method == "sendPhoto" for s in milestone)
    assert (
        "▓▓▓▓░░░░░░ 40%" in milestone[0].text and "预算 300万元，已支出 120万元（40%）" in milestone[0].text
    )
    # A second press of the same confirmation stores nothing twice.
    [again] = await sandbox.press(STAFF, data=confirm)
    assert again.alert and again.text == "这个按钮已失效，请发送 /start 重新打开菜单。"
    async with sandbox.runtime.session_factory() as session:
        reports = (await session.exec(select(ProjectEvent).where(ProjectEvent.kind == "report"))).all()
    assert len(reports) == 1

    # A change of budget needs a reason and is announced to every follower who is not muted.
    await sandbox.say(ADMIN_ID, "/projects")
    await sandbox.press(ADMIN_ID, "养老济困（1）")
    await sandbox.press(ADMIN_ID, "#1 新建社区长者饭堂 · 40%")
    await sandbox.press(ADMIN_ID, "✏️ 变更")
    await sandbox.press(ADMIN_ID, "预算")
    [asked] = await sandbox.say(ADMIN_ID, "三百五")
    assert "没有看懂金额" in asked.text
    await sandbox.say(ADMIN_ID, "350")
    shown = await sandbox.say(ADMIN_ID, "增加适老化厨房设备")
    changed = [s for s in shown if "有变更" in s.text]
    assert {s.to for s in changed} == {SUPERVISOR, STAFF, FOLLOWER, DIGEST_READER}
    assert "预算：300万元 → 350万元" in changed[0].text and "理由：增加适老化厨房设备" in changed[0].text

    # The supervising deputy notes an inspection with a photo; the follower gives feedback.
    await sandbox.say(SUPERVISOR, "/projects")
    await sandbox.press(SUPERVISOR, "养老济困（1）")
    await sandbox.press(SUPERVISOR, "#1 新建社区长者饭堂 · 40%")
    await sandbox.press(SUPERVISOR, "🔍 视察记录")
    await sandbox.say(SUPERVISOR, "现场查看了装修进度，消防通道需要再留宽一些。")
    shown = await sandbox.photo(SUPERVISOR, LAMP)
    inspected = [s for s in shown if "视察了" in s.text]
    assert {s.to for s in inspected} == {FOLLOWER, STAFF} and "张伟代表视察了" in inspected[0].text
    await sandbox.say(FOLLOWER, "/projects")
    await sandbox.press(FOLLOWER, "养老济困（1）")
    await sandbox.press(FOLLOWER, "#1 新建社区长者饭堂 · 40%")
    await sandbox.press(FOLLOWER, "💬 反馈意见")
    shown = await sandbox.say(FOLLOWER, "希望饭堂能提供送餐上门。")
    feedback = [s for s in shown if "居民反馈" in s.text]
    assert {s.to for s in feedback} == {SUPERVISOR, STAFF} and "居民#" in feedback[0].text

    # Forged presses: a resident cannot report, change or inspect.
    [alert] = await sandbox.press(FOLLOWER, data="pa:1:report::2")
    assert alert.alert and "责任单位" in alert.text
    [alert] = await sandbox.press(FOLLOWER, data="pa:1:change::2")
    assert alert.alert and "管理员" in alert.text
    [alert] = await sandbox.press(FOLLOWER, data="pa:1:inspect::0")
    assert alert.alert and "监督组" in alert.text
    # The whole history, in order.
    [history] = await sandbox.press(FOLLOWER, "📜 全部动态")
    lines = history.text.splitlines()[1:]
    assert [line.split(" ", 1)[1][:6] for line in lines] == [
        "确定为民生实",
        "提交实施方案",
        "进度 40%",
        "变更预算：3",
        "代表视察：现",
        "居民反馈：希",
    ]


async def test_deadlines_remind_the_department_and_alert_admins(sandbox: Sandbox) -> None:
    elected = sandbox.clock.now()
    await seed(sandbox, elected_at=elected)
    due = elected + timedelta(days=30)
    shown = await sandbox.advance_clock(due - timedelta(days=3))
    assert [s.to for s in shown if "实施方案请于" in s.text] == [STAFF]
    shown = await sandbox.advance_clock(due - timedelta(days=2))
    assert not [s for s in shown if "实施方案" in s.text]  # once
    shown = await sandbox.advance_clock(due + timedelta(hours=1))
    assert [s.to for s in shown if "实施方案已逾期" in s.text] == [STAFF]
    assert [s.to for s in shown if "逾期未提交实施方案" in s.text] == [ADMIN_ID]
    # Filing the plan starts the monthly report schedule.
    await sandbox.say(STAFF, "/report")
    await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(STAFF, "📋 提交实施方案")
    await sandbox.say(STAFF, "方案如下。")
    await sandbox.press(STAFF, "跳过，不附文件")
    await sandbox.press(STAFF, "✅ 确认提交")
    filed = (await project(sandbox)).plan_filed_at
    shown = await sandbox.advance_clock(filed + timedelta(days=31))
    assert [s.to for s in shown if "进度报告已逾期" in s.text] == [STAFF]


@pytest.fixture
def quiet_settings(database_url: str, data_dir: Path) -> Settings:
    return make_settings(database_url, data_dir, quiet_start="22:00", quiet_end="08:00")


async def test_weekly_digest_quiet_hours_and_a_blocked_follower(quiet_settings: Settings) -> None:
    async with Sandbox(quiet_settings, idle_timeout=20) as sandbox:
        tz = quiet_settings.tz
        now = sandbox.clock.now()
        # Start on a Tuesday at noon, local time.
        tuesday = (now + timedelta(days=(1 - now.weekday()) % 7 + 7)).replace(
            hour=12, minute=0, second=0, microsecond=0
        )
        await sandbox.advance_clock(tuesday)
        await seed(sandbox)
        for person in (FOLLOWER, DIGEST_READER, 1004):
            await sandbox.say(person, "/start")
            await sandbox.say(person, "/projects")
            await sandbox.press(person, "养老济困（1）")
            await sandbox.press(person, "#1 新建社区长者饭堂 · 0%")
            await sandbox.press(person, "⭐ 关注")
        await sandbox.press(FOLLOWER, "每次更新")
        await sandbox.block(1004)
        # A plan filed at 23:00 waits for the morning for the every-update follower.
        await sandbox.advance_clock(tuesday.replace(hour=23))
        await sandbox.say(STAFF, "/report")
        await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
        await sandbox.press(STAFF, "📋 提交实施方案")
        await sandbox.say(STAFF, "夜里写好的方案。")
        await sandbox.press(STAFF, "跳过，不附文件")
        shown = await sandbox.press(STAFF, "✅ 确认提交")
        assert not [s for s in shown if s.to == FOLLOWER]
        shown = await sandbox.advance_clock((tuesday + timedelta(days=1)).replace(hour=8, minute=1))
        assert [s.to for s in shown if "实施方案已提交" in s.text] == [FOLLOWER]
        # Monday 09:00: the digest for the digest followers; the one who blocked the bot is closed.
        monday = (tuesday + timedelta(days=6)).replace(hour=9, minute=0)
        assert monday.astimezone(tz).isoweekday() == 1
        shown = await sandbox.advance_clock(monday)
        digests = [s for s in shown if "本周项目进展" in s.text]
        assert [s.to for s in digests] == [DIGEST_READER]
        assert "\n<b>新建社区长者饭堂</b>\n░░░░░░░░░░ 0%\n" in digests[0].text and "▓" not in digests[0].text
        assert "提交实施方案：夜里写好的方案。" in digests[0].text
        async with sandbox.runtime.session_factory() as session:
            blocked = (await session.exec(select(User).where(User.telegram_id == 1004))).one()
            rows = (await session.exec(select(Delivery).where(Delivery.user_id == blocked.id))).all()
        assert blocked.is_blocked and [row.status for row in rows] == ["blocked"]
        # A second tick at the same moment (another replica) sends no second digest.
        shown = await sandbox.advance_clock(monday + timedelta(minutes=1))
        assert not [s for s in shown if "本周项目进展" in s.text]


async def test_an_announcement_with_preview_confirmation_and_statistics(sandbox: Sandbox) -> None:
    await seed(sandbox)
    await sandbox.say(2002, "/start", name="李娜")
    [denied] = await sandbox.say(FOLLOWER, "/announce")
    assert denied.text == "这个命令只对人大常委会工作人员开放。"
    await sandbox.say(ADMIN_ID, "/announce")
    await sandbox.press(ADMIN_ID, "全体人大代表")
    shown = await sandbox.say(ADMIN_ID, "下周一上午九点在区人大常委会召开视察动员会。")
    assert "共 2 人" in shown[0].text and shown[1].buttons == [["✅ 确认发送", "取消"]]
    shown = await sandbox.press(ADMIN_ID, "✅ 确认发送")
    got = [s for s in shown if "区人大常委会通知" in s.text and s.to != ADMIN_ID]
    assert sorted(s.to for s in got) == [2001, 2002]
    [stats] = await sandbox.press(ADMIN_ID, "🔄 送达统计")
    assert stats.alert and stats.text.startswith("送达 2，排队中 0")
    # A double click on the (now removed) confirmation sends nothing again.
    shown = await sandbox.press(ADMIN_ID, data="an:confirm:")
    assert not [s for s in shown if "区人大常委会通知" in s.text and s.to != ADMIN_ID]


# -- typed values against their columns, texts against Telegram's limits (second security review) --
@pytest.mark.parametrize(
    ("field", "value", "column"),
    [("name", "长" * 300, 200), ("department", "部" * 100, 64), ("place", "地" * 300, 200)],
    ids=["name", "department", "place"],
)
async def test_a_project_field_longer_than_its_column_is_refused_politely(
    sandbox: Sandbox, field: str, value: str, column: int
) -> None:
    """The column's own length (bot/db/models.py) is the limit, said to the admin; nothing is cut
    and nothing is stored (PostgreSQL refused the change behind an apology, SQLite stored it)."""
    project = await seed_project(sandbox)
    await sandbox.press(ADMIN_ID, data=f"pa:{project.id}:field:{field}:{project.version}")
    [refused] = await sandbox.say(ADMIN_ID, value)
    assert f"{len(value)} 字" in refused.text and f"{column} 字" in refused.text, refused.text
    await sandbox.say(ADMIN_ID, value[:column])  # a value that fits is still asked for
    await sandbox.say(ADMIN_ID, "调整建设范围")
    stored = getattr((await rows(sandbox, Project))[-1], field)
    assert stored == value[:column]


async def test_a_report_of_emoji_with_a_photo_reaches_its_followers(sandbox: Sandbox) -> None:
    """Whether a report fits under its photo is measured as Telegram measures a caption (UTF-16
    units of the visible text): 700 emoji are 1400 units, sent after the photo, not as its caption."""
    await seed_project(sandbox)
    await sandbox.say(FOLLOWER, "/projects")
    await sandbox.press(FOLLOWER, "养老济困（1）")
    await sandbox.press(FOLLOWER, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(FOLLOWER, "⭐ 关注")
    await report_progress(sandbox, "主体完工")  # a milestone: followers hear of it at once
    await sandbox.say(STAFF, "😀" * 700)
    await sandbox.photo(STAFF, LAMP_PHOTO)
    shown = await sandbox.press(STAFF, "✅ 确认提交")
    assert any(s.to == STAFF and s.text.startswith("✅ 已提交") for s in shown)
    refused = [(d.status, d.error) for d in await rows(sandbox, Delivery) if d.status != "sent"]
    assert refused == [], f"letters the local server refused: {refused}"
    assert any("😀" * 700 in s.text for s in shown if s.to == FOLLOWER)


async def test_a_report_text_is_counted_as_telegram_counts_it(sandbox: Sandbox) -> None:
    """2000 emoji are 2000 characters but 4000 UTF-16 units: with the heading, more than one
    message holds; the department is told the limit instead of the followers getting nothing."""
    await seed_project(sandbox)
    await sandbox.say(STAFF, "/report")
    await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(STAFF, "📋 提交实施方案")
    [refused] = await sandbox.say(STAFF, "😀" * 2000)
    assert "4000 字" in refused.text and "2000 字" in refused.text, refused.text
    assert utf16_length("😀" * 1000) == 2000
    [asked] = await sandbox.say(STAFF, "😀" * 1000)
    assert "附一张现场照片" in asked.text


async def test_a_caption_on_the_report_photo_is_kept(sandbox: Sandbox) -> None:
    """A photo's caption is part of what the department wrote: it joins the report's text."""
    await seed_project(sandbox)
    await report_progress(sandbox)
    await sandbox.say(STAFF, "内部装修进行中。")
    preview = await sandbox.photo(STAFF, LAMP_PHOTO, caption="东侧围墙已拆除")
    assert any("东侧围墙已拆除" in shown.text for shown in preview)
    await sandbox.press(STAFF, "✅ 确认提交")
    [*_, report] = await rows(sandbox, ProjectEvent)
    assert report.text == "内部装修进行中。\n\n东侧围墙已拆除"
    assert report.media_kind == "photo"


async def test_a_caption_on_the_inspection_photo_is_kept(sandbox: Sandbox) -> None:
    project = await seed_project(sandbox)
    await open_card(sandbox, ADMIN_ID)
    await sandbox.press(ADMIN_ID, "👥 监督组")
    await sandbox.press(ADMIN_ID, "张伟")
    await open_card(sandbox, SUPERVISOR)
    await sandbox.press(SUPERVISOR, "🔍 视察记录")
    await sandbox.say(SUPERVISOR, "现场已围挡施工。")
    await sandbox.photo(SUPERVISOR, LAMP_PHOTO, caption="围挡完好")
    [*_, note] = await rows(sandbox, ProjectEvent, ProjectEvent.project_id == project.id)
    assert (note.kind, note.text, note.media_kind) == ("inspection", "现场已围挡施工。\n\n围挡完好", "photo")

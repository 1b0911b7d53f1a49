"""`python -m bot sandbox --script`: the public transcript contract, from the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from aiogram import Router
from aiogram.filters import Command
from openpyxl import load_workbook
from sqlmodel import select

from bot.config import PROJECT_ROOT, Settings
from bot.db.models import Delivery
from bot.runtime.clock import AdjustableClock
from bot.sandbox.cli import ensure_sample_areas
from bot.sandbox.script import Step, read_script, run_script
from bot.sandbox.session import Sandbox
from bot.sandbox.spec import default_spec
from bot.services.areas import SAMPLE_AREAS, AreaService, read_area_file
from bot.services.container import Services
from bot.services.roster import RosterService, read_roster, read_staff
from tests.conftest import make_settings
from tests.e2e.steps import run_cli

APOLOGY = "抱歉，处理时出了点问题"  # the generic apology of handlers/errors.py: something went wrong


def assert_no_apology(lines: list[dict]) -> None:
    """A sample replays as a person would meet it: no step ends in the generic apology (issue 14)."""
    apologies = [(line["step"], line["to"]) for line in lines if APOLOGY in line.get("text", "")]
    assert not apologies, f"generic apology at (step, to): {apologies}"


def test_the_sample_conversation_replays_for_every_role(tmp_path: Path, database_url: str) -> None:
    env = {"DATABASE_URL": database_url, "SANDBOX_RECORD": str(tmp_path / "record.jsonl")}
    areas = run_cli(
        "areas", "import", str(PROJECT_ROOT / "bot/data/areas_futian.toml"), cwd=tmp_path, env=env
    )
    assert areas.returncode == 0, areas.stderr
    assert "10 streets" in areas.stdout
    roster = run_cli(
        "roster", "import", str(PROJECT_ROOT / "bot/data/roster_futian.csv"), cwd=tmp_path, env=env
    )
    assert roster.returncode == 0, roster.stderr
    assert "5 added" in roster.stdout
    again = run_cli(
        "roster", "import", str(PROJECT_ROOT / "bot/data/roster_futian.csv"), cwd=tmp_path, env=env
    )
    assert "0 added, 0 updated, 5 unchanged" in again.stdout  # idempotent

    transcript = tmp_path / "out.jsonl"
    result = run_cli(
        "sandbox",
        "--script",
        str(PROJECT_ROOT / "samples/start.jsonl"),
        "--transcript",
        str(transcript),
        "--admin",
        "9001",
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in transcript.read_text(encoding="utf-8").splitlines()]
    assert_no_apology(lines)
    by_step = {}
    for line in lines:
        by_step.setdefault(line["step"], []).append(line)
        assert set(line) <= {
            "step",
            "to",
            "method",
            "text",
            "buttons",
            "keyboard",
            "message_id",
            "file",
            "alert",
        }
    assert by_step[1][0]["to"] == 1001 and by_step[1][0]["text"].startswith("您好，王阿姨！")
    assert by_step[2][0]["text"].startswith("Hello, Alice!")
    assert "您是莲花街道的人大代表。" in by_step[3][0]["text"]
    assert "您是人大常委会工作人员（管理员）。" in by_step[4][0]["text"]
    assert by_step[4][0]["buttons"] == [
        ["待处理的建议", "区级需求池"],
        ["代表名册", "我的建议"],
        ["帮助", "语言 / Language"],
    ]
    assert "莲花街道：2" in by_step[5][0]["text"]
    assert by_step[8][0] == {
        "step": 8,
        "to": 1001,
        "method": "answerCallbackQuery",
        "text": "这个按钮已失效，请发送 /start 重新打开菜单。",
        "alert": True,
    }
    assert by_step[11][0]["text"].startswith("Welcome back, 王阿姨!")

    spec = default_spec()
    for record in map(json.loads, (tmp_path / "record.jsonl").read_text(encoding="utf-8").splitlines()):
        assert set(record["params"]) <= set(spec.method(record["method"]).fields), record


def test_bad_roster_rows_are_reported_one_by_one(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    run_cli("areas", "import", str(PROJECT_ROOT / "bot/data/areas_futian.toml"), cwd=tmp_path, env=env)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,telegram_id,street,liaison_station\n张伟,2001,莲花街道,\n,2002,莲花,\n王芳,abc,福保,\n"
        "刘洋,2004,火星街道,\n陈静,2001,福保,\n",
        encoding="utf-8",
    )
    result = run_cli("roster", "import", str(roster), cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert [line.split(" (streets:")[0] for line in result.stderr.splitlines()] == [
        f"{roster}:3: name is empty",
        f"{roster}:4: telegram_id 'abc' is not a positive whole number",
        f"{roster}:5: unknown street '火星'",
        f"{roster}:6: telegram_id 2001 repeats line 2",
    ]
    assert "1 added" in result.stdout
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,id\n", encoding="utf-8")
    result = run_cli("roster", "import", str(wrong), cwd=tmp_path, env=env)
    assert result.returncode == 2 and "missing: telegram_id, street" in result.stderr


def test_a_bad_script_line_is_named(tmp_path: Path) -> None:
    script = tmp_path / "bad.jsonl"
    script.write_text(
        '{"from": 1001, "text": "/start"}\n{"from": 1001, "press": "不存在的按钮"}\n', encoding="utf-8"
    )
    result = run_cli(
        "sandbox", "--script", str(script), "--db", f"sqlite:///{tmp_path / 's.db'}", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "step 2: no button '不存在的按钮'" in result.stderr


async def test_an_unhandled_bot_error_makes_the_run_fail(database_url: str, data_dir: Path) -> None:
    async with Sandbox(make_settings(database_url, data_dir)) as sandbox:
        broken = Router(name="broken")

        @broken.message(Command("boom"))
        async def boom(message: object) -> None:
            raise RuntimeError("kaboom")

        sandbox.runtime.dispatcher.include_router(broken)
        sandbox.runtime.dispatcher.sub_routers.insert(0, sandbox.runtime.dispatcher.sub_routers.pop())
        out = io.StringIO()
        errors = await run_script(sandbox, [Step(1, {"from": 1001, "text": "/boom"})], Path("."), out)
    assert errors == ["step 1: update 1: RuntimeError: kaboom"]
    assert "抱歉，处理时出了点问题" in out.getvalue()


async def test_the_resident_sample_conversation(database_url: str, data_dir: Path, tmp_path: Path) -> None:
    """samples/resident.jsonl: a correction, a photo, a near-duplicate followed, /my, a withdrawal."""
    async with Sandbox(make_settings(database_url, data_dir)) as sandbox:
        from bot.sandbox.cli import ensure_sample_areas

        await ensure_sample_areas(sandbox)
        year = sandbox.clock.now().year
        # The sample presses "MS-{year}-000001": the year on the bot's clock, any year.
        samples = PROJECT_ROOT / "samples"
        out = io.StringIO()
        errors = await run_script(sandbox, read_script(samples / "resident.jsonl"), samples, out)
    assert errors == []
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert_no_apology(lines)
    texts = [(line["step"], line["to"], line["text"]) for line in lines]
    assert (4, 1001, "类别：公共安全") in texts  # the resident corrected the category
    assert any(
        step == 8 and text.startswith(f"✅ 已提交！编号 <b>MS-{year}-000001</b>") for step, _to, text in texts
    )
    assert any(
        step == 15 and text.startswith("Your street already has a similar suggestion")
        for step, _to, text in texts
    )
    assert any(step == 17 and "(following) · Submitted" in text for step, _to, text in texts)
    assert (
        27,
        1002,
        f"A suggestion you follow, <b>MS-{year}-000001</b>, has moved on:\nSubmitted → Withdrawn",
    ) in texts


async def test_the_triage_sample_conversation(database_url: str, data_dir: Path, tmp_path: Path) -> None:
    """samples/triage.jsonl: a resident, two deputies, a staff member and an admin walk every path."""
    async with Sandbox(make_settings(database_url, data_dir, admin_ids=frozenset({9001}))) as sandbox:
        async with sandbox.runtime.session_factory() as session:
            await AreaService(session).import_district(read_area_file(SAMPLE_AREAS))
            await session.flush()
            roster = RosterService(session, sandbox.clock)
            await roster.import_rows(
                read_roster((PROJECT_ROOT / "bot/data/roster_futian.csv").read_text(encoding="utf-8"))
            )
            await roster.import_staff(
                read_staff((PROJECT_ROOT / "bot/data/staff_futian.csv").read_text(encoding="utf-8"))
            )
            await session.commit()
        samples = PROJECT_ROOT / "samples"
        out = io.StringIO()
        errors = await run_script(sandbox, read_script(samples / "triage.jsonl"), samples, out)
    assert errors == []
    told = [
        json.loads(line)["text"] for line in out.getvalue().splitlines() if json.loads(line)["to"] == 1001
    ]
    for change in (
        "已提交 → 转街道",
        "人大代表想进一步了解您的建议",
        "已提交 → 报区人大常委会",
        "报区人大常委会 → 论证可行",
        "论证可行 → 候选项目",
        "已提交 → 转社区办理",
        "已提交 → 不予采纳\n说明：已在办理或已经解决",
        "已提交 → 转立法联系点",
        "类别改为：交通出行",
        "已提交 → 已合并",
        "转给了福保街道的代表",
    ):
        assert any(change in text for text in told), change
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert_no_apology(lines)
    assert any(
        line["to"] == 2002 and "报区人大常委会 → 论证不可行\n说明：旧仓库属于危房，需先鉴定" in line["text"]
        for line in lines
    )
    assert {
        line.get("file", "")[-4:] for line in lines if line["to"] == 9001 and line["method"] == "sendDocument"
    } == {".csv", "xlsx"}


def sample_clock(settings: Settings) -> AdjustableClock:
    """The dated samples (round, projects, evaluation) were written on this day; their clock steps
    move forward from it, so they replay the same whatever today is."""
    return AdjustableClock(settings.tz, start=datetime(2026, 11, 26, 10, 0, tzinfo=settings.tz))


async def test_the_round_sample_conversation(database_url: str, data_dir: Path, tmp_path: Path) -> None:
    """samples/round.jsonl: a configuration error fixed, a scheduled opening, an invalid ballot
    refused live, a reminder, closing, results with a chart, a tie and its runoff."""
    settings = make_settings(database_url, data_dir, admin_ids=frozenset({9001}))
    async with Sandbox(settings, clock=sample_clock(settings)) as sandbox:
        async with sandbox.runtime.session_factory() as session:
            await AreaService(session).import_district(read_area_file(SAMPLE_AREAS))
            await session.flush()
            roster = RosterService(session, sandbox.clock)
            await roster.import_rows(
                read_roster((PROJECT_ROOT / "bot/data/roster_futian.csv").read_text(encoding="utf-8"))
            )
            services = Services(session, sandbox.clock, sandbox.settings)
            for row in csv.DictReader(
                io.StringIO((PROJECT_ROOT / "samples/candidates_2027.csv").read_text(encoding="utf-8"))
            ):
                await services.rounds.add_item(2027, row["title"], row["category"], "special")
            await session.commit()
        out = io.StringIO()
        errors = await run_script(sandbox, read_script(PROJECT_ROOT / "samples/round.jsonl"), tmp_path, out)
    assert errors == []
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert_no_apology(lines)
    texts = [line["text"] for line in lines]
    assert any("⚠️ 配置有误，不能开放：" in text and "9 个候选项目选 10 项" in text for text in texts)
    assert any(line["text"].startswith("📋 预先审议") for line in lines)
    # Five at the opening, and once more with the reminder to the one who had not voted.
    assert len([t for t in texts if t.startswith("🗳 2027 年民生实事项目票决 开始投票了")]) == 6
    assert "选票还不能提交：每类至少赞成一项，尚缺：环境提升、交通出行" in texts
    assert [line["to"] for line in lines if line["text"].startswith("⏰ 提醒")] == [2005]
    assert any("<b>票数相同、需加赛</b>（剩余 1 席）" in text for text in texts)
    assert len([line for line in lines if line["method"] == "sendPhoto"]) == 10  # two rounds × five deputies
    assert any("<b>当选项目</b>（1/1）：\nc1 建设适老化无障碍设施" in text for text in texts)


async def test_the_projects_sample_conversation(database_url: str, data_dir: Path) -> None:
    """samples/projects.jsonl: an import, followers, a plan reminder and overdue alert by the clock,
    a plan, a report with a photo and a milestone, a follower who blocked the bot, quiet hours,
    the weekly digest, an announcement with confirmation and statistics."""
    settings = make_settings(
        database_url, data_dir, admin_ids=frozenset({9001}), quiet_start="22:00", quiet_end="08:00"
    )
    async with Sandbox(settings, clock=sample_clock(settings)) as sandbox:
        await ensure_sample_areas(sandbox)
        out = io.StringIO()
        samples = PROJECT_ROOT / "samples"
        errors = await run_script(sandbox, read_script(samples / "projects.jsonl"), samples, out)
        async with sandbox.runtime.session_factory() as session:
            blocked = (await session.exec(select(Delivery).where(Delivery.status == "blocked"))).all()
    assert errors == []
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert_no_apology(lines)

    def to(person: int, start: str) -> list[int]:
        return [line["step"] for line in lines if line["to"] == person and line["text"].startswith(start)]

    assert to(3001, "📌 <b>新建社区长者饭堂</b> 已确定为民生实事项目") == [8]
    assert to(3001, "⏰ 提醒：<b>新建社区长者饭堂</b> 的实施方案") == [23]
    assert to(3001, "❗ <b>新建社区长者饭堂</b> 的实施方案已逾期") == [24]
    assert to(9001, "🚨 <b>新建社区长者饭堂</b>（区民政局）逾期未提交实施方案") == [24]
    assert to(1001, "📋 <b>新建社区长者饭堂</b> 的实施方案已提交") == [30]
    assert to(1002, "📋") == []  # a digest follower waits for the digest…
    milestone = [line for line in lines if line["text"].startswith("🏁")]
    assert {line["to"] for line in milestone} == {2001, 1001, 1002}  # …but hears of a milestone
    assert {line["method"] for line in milestone} == {"sendPhoto"}
    # The milestone got Telegram's 403; the digest for that person was closed without a call.
    assert [row.chat_id for row in blocked] == [1003, 1003]
    assert to(1001, "🔍 张伟代表视察了") == [47]  # written at 23:00, delivered at 08:00
    [digest] = [line for line in lines if line["text"].startswith("📰")]
    assert digest["to"] == 1002 and digest["step"] == 48
    assert "进度 30% · 🏁 完成设计招标" in digest["text"] and "代表视察" in digest["text"]
    assert to(2001, "📢 <b>区人大常委会通知</b>") == [52]
    assert any(line["text"].startswith("送达 1，排队中 0") and line.get("alert") for line in lines)


async def test_the_evaluation_sample_conversation(database_url: str, data_dir: Path) -> None:
    """samples/evaluation.jsonl: a project completed and marked done, an evaluation round opened by
    the clock, ratings card by card with review and receipt, a second submission refused, a reminder,
    closing, published results with consequences and a chart, and the year's XLSX export."""
    settings = make_settings(database_url, data_dir, admin_ids=frozenset({9001}))
    async with Sandbox(settings, clock=sample_clock(settings)) as sandbox:
        await ensure_sample_areas(sandbox)
        out = io.StringIO()
        samples = PROJECT_ROOT / "samples"
        errors = await run_script(sandbox, read_script(samples / "evaluation.jsonl"), samples, out)
        files = {stored.name: stored.content for stored in sandbox.server.world.files.values()}
    assert errors == []
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert_no_apology(lines)
    texts = [line["text"] for line in lines]
    opened = [line["to"] for line in lines if line["text"].startswith("🗳 2027年民生实事项目效果票评开始了")]
    assert sorted(opened) == [2001, 2002, 2003]
    assert any(
        line.get("alert") and line["text"] == "您已经提交过这次效果票评，不能再修改。" for line in lines
    )
    assert [
        line["to"] for line in lines if line["text"].startswith("⏰ 提醒：2027年民生实事项目效果票评")
    ] == [2003]
    results = [line for line in lines if line["text"].startswith("📊 <b>2027年")]
    assert {line["to"] for line in results} == {9001, 2001, 2002, 2003}
    assert "参评代表 3/5（60.0%）" in results[0]["text"]
    assert "#1 新建社区长者饭堂：满意度 100.0%（满意 66.7%，3 票） · 🏅 达到 95.0% 档" in results[0]["text"]
    assert "#2 背街小巷路灯改造：满意度 50.0%（满意 0.0%，2 票） · ⚠️ 60%以下" in results[0]["text"]
    assert "区民政局：满意度 100.0%，项目全部完成，加分 5" in results[0]["text"]
    assert "<b>分类满意度</b>\n养老济困：100.0%\n便民服务：50.0%" in results[0]["text"]
    assert any(t.startswith("📊 您关注的 <b>新建社区长者饭堂</b>") for t in texts)
    # The export opens with openpyxl and holds the same numbers.
    book = load_workbook(io.BytesIO(files["minsheng-2027.xlsx"]))
    evaluation = [[cell.value for cell in row] for row in book["效果票评"].iter_rows()]
    assert evaluation[0][:4] == ["项目", "名称", "责任单位", "类别"]
    assert evaluation[1][1] == "新建社区长者饭堂" and evaluation[1][5:13] == [
        3,
        2,
        1,
        0,
        "100.0%",
        "66.7%",
        "95.0%",
        "否",
    ]
    assert evaluation[2][1] == "背街小巷路灯改造" and evaluation[2][5] == 2 and evaluation[2][12] == "是"
    departments = {row[0].value: [c.value for c in row] for row in book["责任单位评分"].iter_rows(min_row=2)}
    assert departments["区民政局"][2:5] == ["是", "100.0%", 5]
    assert "常委会会议" in departments["区城市管理和综合执法局"][5]
    budget = [[c.value for c in row] for row in book["项目与预算执行"].iter_rows(min_row=2)]
    assert budget[0][5:8] == [300.0, 295.0, "98%"]


def test_the_sandbox_clock_can_start_at_a_given_moment(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import _parser

    start = _parser().parse_args(["sandbox", "--start", "2026-11-26T10:00:00+08:00"]).start
    assert start.isoformat() == "2026-11-26T10:00:00+08:00"
    clock = AdjustableClock(start.tzinfo, start=start)
    assert abs((clock.now() - start).total_seconds()) < 5  # and it runs on from there
    with pytest.raises(SystemExit):
        _parser().parse_args(["sandbox", "--start", "2026-11-26T10:00:00"])
    assert "UTC offset" in capsys.readouterr().err

"""Shared steps of the end-to-end tests: what people do in chat, written once.

In the spirit of aiogram_dialog's test_tools: the sandbox is the client (`say`, and `press` by a
button's text); these steps chain its calls into what a resident, a deputy, the staff or an admin
does, so a test reads as the story it checks and a change of wording is mended in one place.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlmodel import col, select

from bot.config import PROJECT_ROOT
from bot.db.models import Project, SelectionRound, StaffMember, Suggestion, User
from bot.sandbox.session import Sandbox
from bot.sandbox.world import Shown
from bot.services.container import Services
from tests.conftest import ADMIN_ID, seed_areas_and_roster

LAMP_PHOTO = PROJECT_ROOT / "samples" / "lamp.jpg"
# The project seed_project makes, and the people around it.
STAFF = 3001  # 区民政局
SUPERVISOR = 2001  # 张伟, deputy of 莲花街道
FOLLOWER, DIGEST_READER = 1001, 1003

# The `street` fixture's people (tests/e2e/conftest.py): a resident, two deputies of 莲花街道 (one
# listed by the street's short name) and one of 福保街道.
RESIDENT, DEPUTY, OTHER_DEPUTY, FAR_DEPUTY = 1001, 2001, 2002, 2003
STREET_ROSTER = """name,telegram_id,street,liaison_station
张伟,2001,莲花街道,莲花街道人大代表联络站
李娜,2002,莲花,
王芳,2003,福保,
"""


def roster(deputies: list[int]) -> str:
    """A roster of deputies of 莲花街道 named 代表<id>."""
    return "name,telegram_id,street,liaison_station\n" + "".join(f"代表{n},{n},莲花街道,\n" for n in deputies)


# A selection round's usual fixtures: the ballot's confirm button, six deputies of 莲花街道 and
# nine 特定征集 items (codes follow the categories' order: c1-c3 eldercare, c4-c6 environment,
# c7-c9 transport).
CONFIRM = "确认提交（提交后不能更改）"
DEPUTIES = [2001, 2002, 2003, 2004, 2005, 2006]
ROSTER = roster(DEPUTIES)
ITEMS = [
    ("新建社区长者饭堂", "eldercare"),
    ("增设公交微循环线路", "transport"),
    ("改造社区公园", "environment"),
    ("扩建社区健康服务中心", "eldercare"),
    ("新增公共停车位", "transport"),
    ("整治河道黑臭水体", "environment"),
    ("建设适老化无障碍设施", "eldercare"),
    ("优化路口信号灯", "transport"),
    ("新建口袋公园", "environment"),
]


async def rows(sandbox: Sandbox, model: type, *where: Any) -> list:
    """Every row of `model` matching `where`, in id order."""
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        return list((await session.exec(select(model).where(*where).order_by(col(model.id)))).all())


# The intake conversation's buttons (handlers/resident.py), as the resident sees them.
THIS_CATEGORY = "✅ 对，就是这类"
CANCEL = "✖️ 不提交了"
SAME_PLACE = "📍 就是这里"
WHICH_COMMUNITY = "哪个社区？"
NO_PHOTO = "跳过，不发照片"
HOW_NAMED = "最后一步："  # the question how the deputies see the author: the pseudonym first
SUBMIT_ANYWAY = "仍然提交我的建议"


async def draft_suggestion(
    sandbox: Sandbox,
    user: int,
    text: str | None = None,
    street: str = "莲花街道",
    community: str | None = "彩田社区",
    *,
    photo: Path | None = None,
) -> Shown:
    """A resident's suggestion in chat up to the last step: the text (with None, the draft the
    resident already started goes on from the question it waits on), the proposed category
    confirmed (the likeliest when the bot asks to choose), `street` or the remembered place,
    `community` (the first offered if None), `photo` or none (an album is not asked for one
    again). Returns the question how the author is to be named."""
    if text is not None:
        await sandbox.say(user, text)
    for _step in range(6):
        asked = next(s for s in reversed(sandbox.shown) if s.to == user and s.buttons)
        labels = [label for row in asked.buttons for label in row]  # type: ignore[union-attr]
        if asked.text.startswith(HOW_NAMED):
            return asked
        if asked.text == WHICH_COMMUNITY:
            label = community if community is not None else labels[0]
        elif NO_PHOTO in labels and photo is not None:
            await sandbox.photo(user, photo)
            continue
        elif labels[-1] == CANCEL and THIS_CATEGORY not in labels:
            label = labels[0]  # the categories to choose from, the likeliest first
        else:
            label = next(label for label in (THIS_CATEGORY, street, SAME_PLACE, NO_PHOTO) if label in labels)
        await sandbox.press(user, label)
    raise AssertionError(f"the intake never asked how to name the author: {sandbox.shown[-1].text!r}")


async def submit_suggestion(sandbox: Sandbox, user: int, text: str | None = None, **draft: Any) -> Suggestion:
    """draft_suggestion (with its street, community and photo), then the pseudonym, and "submit
    anyway" when near-duplicates are offered. Returns the resident's newest suggestion, as stored."""
    asked = await draft_suggestion(sandbox, user, text, **draft)
    shown = await sandbox.press(user, asked.buttons[0][0])  # type: ignore[index]
    if shown[-1].buttons and shown[-1].buttons[-1] == [SUBMIT_ANYWAY]:
        await sandbox.press(user, SUBMIT_ANYWAY)
    author = select(User.id).where(User.telegram_id == user).scalar_subquery()
    return (
        await rows(
            sandbox, Suggestion, Suggestion.resident_id == author, col(Suggestion.state) != "abandoned"
        )
    )[-1]


async def triage(sandbox: Sandbox, deputy: int, label: str) -> list:
    """A deputy presses a triage button on the newest card and confirms it."""
    await sandbox.press(deputy, label)
    return await sandbox.press(deputy, f"确定：{label}")


async def elect_project(sandbox: Sandbox, elected_at: datetime | None = None) -> Project:
    """The project the project tests follow: 新建社区长者饭堂 of 区民政局 (300万元, 莲花街道彩田社区),
    elected at `elected_at` (default now), stored and returned."""
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        services = Services(session, sandbox.clock, sandbox.settings)
        project = await services.projects.create(
            year=2027,
            name="新建社区长者饭堂",
            category="eldercare",
            department="区民政局",
            budget=3_000_000,
            elected_at=elected_at or sandbox.clock.now(),
            place="莲花街道彩田社区",
        )
        await session.commit()
        await session.refresh(project)
        return project


async def add_staff(sandbox: Sandbox, telegram_id: int, name: str, department: str) -> None:
    """A staff member of `department`, as the staff import would add them."""
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        session.add(
            StaffMember(
                telegram_id=telegram_id, name=name, department=department, created_at=sandbox.clock.now()
            )
        )
        await session.commit()


async def seed_project(sandbox: Sandbox, elected_at: datetime | None = None) -> Project:
    """Areas and roster, the staff member of 区民政局, and one elected project of theirs
    (elect_project); the people around it have said /start."""
    await seed_areas_and_roster(sandbox)
    await add_staff(sandbox, STAFF, "赵科长", "区民政局")
    project = await elect_project(sandbox, elected_at)
    for person, name in (
        (STAFF, "赵科长"),
        (SUPERVISOR, "张伟"),
        (ADMIN_ID, "办公室"),
        (FOLLOWER, "甲"),
        (DIGEST_READER, "丙"),
    ):
        await sandbox.say(person, "/start", name=name)
    return project


async def prepare_round(
    sandbox: Sandbox, deputies: list[int] = DEPUTIES, started: list[int] | None = None
) -> int:
    """Areas, a roster of `deputies` of 莲花街道 and the nine 特定征集 items for next year; the
    deputies (or only those `started`) and the admin have said /start. Returns the year."""
    await seed_areas_and_roster(sandbox, roster(deputies))
    year = sandbox.clock.now().year + 1
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        services = Services(session, sandbox.clock, sandbox.settings)
        for title, category in ITEMS:
            await services.rounds.add_item(year, title, category, "special")
        await session.commit()
    for deputy in deputies if started is None else started:
        await sandbox.say(deputy, "/start", name=f"代表{deputy}")
    await sandbox.say(ADMIN_ID, "/start", name="办公室")
    return year


async def the_round(sandbox: Sandbox) -> SelectionRound:
    """The newest selection round."""
    return (await rows(sandbox, SelectionRound))[-1]


APPROVAL = "赞成制（只投赞成）"


async def create_round(
    sandbox: Sandbox, quota: str = "7", mode: str = APPROVAL
) -> tuple[Shown, Shown, Shown]:
    """The admin creates a selection round of next year's candidates: /rounds, ➕ 新建票决, the
    number to elect, the voting mode. Returns the screens: the candidates' summary, the modes
    offered and the new round's card."""
    await sandbox.say(ADMIN_ID, "/rounds")
    [summary] = await sandbox.press(ADMIN_ID, "➕ 新建票决")
    [modes] = await sandbox.say(ADMIN_ID, quota)
    card = (await sandbox.press(ADMIN_ID, mode))[-1]
    return summary, modes, card


async def schedule_round(
    sandbox: Sandbox, opens_in: timedelta = timedelta(days=10), length: timedelta = timedelta(days=2)
) -> tuple[datetime, datetime]:
    """The admin sets the round on screen to open in `opens_in` for `length` (to the minute, as
    typed). Returns the opening and closing times."""
    opens = (sandbox.clock.now() + opens_in).replace(second=0, microsecond=0)
    closes = opens + length
    await sandbox.press(ADMIN_ID, "设置开放和关闭时间")
    [card] = await sandbox.say(ADMIN_ID, f"{opens:%Y-%m-%d %H:%M} {closes:%Y-%m-%d %H:%M}")
    assert "状态：已排期" in card.text, card.text
    return opens, closes


async def cast_ballot(
    sandbox: Sandbox,
    deputy: int,
    round_id: int,
    approve: Iterable[str] = (),
    marks: dict[str, str] | None = None,
) -> str:
    """A deputy approves the candidates `approve` (or, in a yes/no/abstain round, gives each code
    its mark: yes, no or abstain), submits and confirms the ballot. Returns the receipt code."""
    for code in approve:
        await sandbox.press(deputy, data=f"bt:{round_id}:{code}")
    for code, mark in (marks or {}).items():
        await sandbox.press(deputy, data=f"bm:{round_id}:{code}:{mark}")
    await sandbox.press(deputy, data=f"bs:{round_id}:submit")
    [done] = await sandbox.press(deputy, CONFIRM)
    assert done.text.startswith("✅ 选票已提交"), done.text
    return done.text.split("<code>")[1].split("</code>")[0]


async def round_card(sandbox: Sandbox, round_: SelectionRound, admin: int = ADMIN_ID) -> Shown:
    """An admin opens the round's card from /rounds."""
    await sandbox.say(admin, "/rounds")
    [card] = await sandbox.press(admin, f"#{round_.id} {round_.title[:24]}")
    return card


async def run_round(
    sandbox: Sandbox, ballots: dict[int, Iterable[str]], quota: str = "7"
) -> tuple[SelectionRound, dict[int, str]]:
    """An approval round from creation to its close: the admin creates and schedules it, it opens,
    each deputy in `ballots` approves those codes, it closes. The admin publishes it from
    round_card. Returns the round and each deputy's receipt."""
    await create_round(sandbox, quota)
    opens, closes = await schedule_round(sandbox)
    await sandbox.advance_clock(opens)
    round_ = await the_round(sandbox)
    receipts = {
        deputy: await cast_ballot(sandbox, deputy, round_.id, codes) for deputy, codes in ballots.items()
    }  # type: ignore[arg-type]
    await sandbox.advance_clock(closes)
    return await the_round(sandbox), receipts


async def report_progress(sandbox: Sandbox, milestone: str | None = None) -> None:
    """The staff's plan of the seeded project, then a 60% progress report up to its text step
    (with `milestone` typed, or none)."""
    await sandbox.say(STAFF, "/report")
    await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(STAFF, "📋 提交实施方案")
    await sandbox.say(STAFF, "3月开工，9月投入使用。")
    await sandbox.press(STAFF, "跳过，不附文件")
    await sandbox.press(STAFF, "✅ 确认提交")
    await sandbox.say(STAFF, "/report")
    await sandbox.press(STAFF, "#1 新建社区长者饭堂 · 0%")
    await sandbox.press(STAFF, "📈 报告进度")
    await sandbox.press(STAFF, "60%")
    await sandbox.say(STAFF, "150")
    if milestone:
        await sandbox.say(STAFF, milestone)
    else:
        await sandbox.press(STAFF, "没有新节点")


async def report_with_photo(sandbox: Sandbox) -> None:
    """seed_project, then the staff's plan and a 60% progress report with a photo, and a
    follower's feedback holding a phone number (for the supervision group only)."""
    await seed_project(sandbox)
    await report_progress(sandbox)
    await sandbox.say(STAFF, "内部装修进行中。")
    await sandbox.photo(STAFF, LAMP_PHOTO)
    await sandbox.press(STAFF, "✅ 确认提交")
    await sandbox.say(FOLLOWER, "/projects")
    await sandbox.press(FOLLOWER, "养老济困（1）")
    await sandbox.press(FOLLOWER, "#1 新建社区长者饭堂 · 60%")
    await sandbox.press(FOLLOWER, "⭐ 关注")
    await sandbox.press(FOLLOWER, "💬 反馈意见")
    await sandbox.say(FOLLOWER, "我家住3栋，电话13800000000，希望早点完工。")


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """`app` served on a free port of 127.0.0.1, as the bot serves its webhook and board: the
    runner (to clean up) and the base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    _host, port = runner.addresses[0][:2]
    return runner, f"http://127.0.0.1:{port}"


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as a person runs it, in `cwd`, importing this checkout (`input`: what
    they type)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        # The checkout under test, not whichever copy the venv installed.
        "PYTHONPATH": str(PROJECT_ROOT),
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environment,
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )

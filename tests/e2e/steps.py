"""Shared steps of the end-to-end tests: what people do in chat, written once.

In the spirit of aiogram_dialog's test_tools: the sandbox is the client (`say`, and `press` by a
button's text); these steps chain its calls into what a resident, a deputy, the staff or an admin
does, so a test reads as the story it checks and a change of wording is mended in one place.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from bot.config import PROJECT_ROOT
from bot.db.models import Project, SelectionRound, StaffMember, Suggestion
from bot.sandbox.session import Sandbox
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


async def submit_suggestion(
    sandbox: Sandbox, user: int, text: str, street: str = "莲花街道", community: str = "彩田社区"
) -> Suggestion:
    """A resident's suggestion in chat: text, the proposed category confirmed, street (or the
    remembered place) and community, no photo, the first way of signing; "submit anyway" when
    near-duplicates are offered. Returns the stored suggestion."""
    await sandbox.say(user, text)
    await sandbox.press(user, "✅ 对，就是这类")
    offered = str(sandbox.shown[-1].buttons)
    await sandbox.press(user, street if street in offered else "📍 就是这里")
    if sandbox.shown[-1].text == "哪个社区？":
        await sandbox.press(user, community)
    await sandbox.press(user, "跳过，不发照片")
    shown = await sandbox.press(user, sandbox.shown[-1].buttons[0][0])  # type: ignore[index]
    if shown[-1].buttons and shown[-1].buttons[-1] == ["仍然提交我的建议"]:
        await sandbox.press(user, "仍然提交我的建议")
    return (await rows(sandbox, Suggestion, col(Suggestion.state) != "abandoned"))[-1]


async def triage(sandbox: Sandbox, deputy: int, label: str) -> list:
    """A deputy presses a triage button on the newest card and confirms it."""
    await sandbox.press(deputy, label)
    return await sandbox.press(deputy, f"确定：{label}")


async def seed_project(sandbox: Sandbox, elected_at: datetime | None = None) -> Project:
    """Areas and roster, the staff member of 区民政局, and one elected project of theirs
    (新建社区长者饭堂, 300万元); the people around it have said /start."""
    await seed_areas_and_roster(sandbox)
    async with sandbox.runtime.session_factory() as session:  # type: ignore[union-attr]
        session.add(
            StaffMember(
                telegram_id=STAFF, name="赵科长", department="区民政局", created_at=sandbox.clock.now()
            )
        )
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


async def report_with_photo(sandbox: Sandbox) -> None:
    """seed_project, then the staff's plan and a 60% progress report with a photo, and a
    follower's feedback holding a phone number (for the supervision group only)."""
    await seed_project(sandbox)
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
    await sandbox.press(STAFF, "没有新节点")
    await sandbox.say(STAFF, "内部装修进行中。")
    await sandbox.photo(STAFF, LAMP_PHOTO)
    await sandbox.press(STAFF, "✅ 确认提交")
    await sandbox.say(FOLLOWER, "/projects")
    await sandbox.press(FOLLOWER, "养老济困（1）")
    await sandbox.press(FOLLOWER, "#1 新建社区长者饭堂 · 60%")
    await sandbox.press(FOLLOWER, "⭐ 关注")
    await sandbox.press(FOLLOWER, "💬 反馈意见")
    await sandbox.say(FOLLOWER, "我家住3栋，电话13800000000，希望早点完工。")


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

"""Announcements to one street's residents and to one project's followers (issue 18): only they
receive it, on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.db.models import Street, User
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID
from tests.e2e.steps import DIGEST_READER, FOLLOWER, STAFF, SUPERVISOR, rows, seed_project, submit_suggestion

LIANHUA_RESIDENT, FUBAO_RESIDENT = 1004, 1005
HEADING = "区人大常委会通知"


async def announce(sandbox: Sandbox, audience: str, choice: str, text: str, expected: int) -> set[int]:
    """The admin announces `text` to `audience` / `choice`; the preview counts `expected` people.
    Returns who received it."""
    await sandbox.say(ADMIN_ID, "/announce")
    await sandbox.press(ADMIN_ID, audience)
    await sandbox.press(ADMIN_ID, choice)
    [preview, body] = await sandbox.say(ADMIN_ID, text)
    assert f"共 {expected} 人" in preview.text, preview.text
    assert body.buttons == [["✅ 确认发送", "取消"]]
    shown = await sandbox.press(ADMIN_ID, "✅ 确认发送")
    got = [s for s in shown if s.to != ADMIN_ID and HEADING in s.text]
    assert all(text in s.text for s in got)
    return {s.to for s in got}


async def test_announcements_to_one_street_and_to_a_projects_followers(sandbox: Sandbox) -> None:
    project = await seed_project(sandbox)
    # Residents of two streets (their home street is where they placed a suggestion).
    await submit_suggestion(sandbox, LIANHUA_RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    await submit_suggestion(
        sandbox,
        FUBAO_RESIDENT,
        "希望在社区增设电动自行车充电桩，方便居民充电",
        street="福保街道",
        community="福保社区",
    )
    streets = {s.name: s.id for s in await rows(sandbox, Street)}
    homes = {u.telegram_id: u.home_street_id for u in await rows(sandbox, User)}
    assert homes[LIANHUA_RESIDENT] == streets["莲花街道"] and homes[FUBAO_RESIDENT] == streets["福保街道"]
    # One resident follows the project; another has no street and follows nothing.
    await sandbox.say(FOLLOWER, "/projects")
    await sandbox.press(FOLLOWER, "养老济困（1）")
    await sandbox.press(FOLLOWER, f"#{project.id} 新建社区长者饭堂 · 0%")
    await sandbox.press(FOLLOWER, "⭐ 关注")

    got = await announce(sandbox, "某街道的居民", "莲花街道", "本周六上午莲花街道开展义诊活动。", 1)
    assert got == {LIANHUA_RESIDENT}
    got = await announce(sandbox, "某街道的居民", "福保街道", "福保街道下周停水检修。", 1)
    assert got == {FUBAO_RESIDENT}
    got = await announce(
        sandbox, "某项目的关注者", f"#{project.id} 新建社区长者饭堂", "长者饭堂下月试营业。", 1
    )
    assert got == {FOLLOWER}
    # Nobody else heard any of the three: not the deputy, the staff or the resident without a street.
    for person in (SUPERVISOR, STAFF, DIGEST_READER):
        assert not [s for s in sandbox.shown if s.to == person and HEADING in s.text], person

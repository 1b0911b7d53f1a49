"""Announcements to one street's residents and to one project's followers (issue 18): only they
receive it, on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.db.models import Street, User
from bot.office_texts import ANNOUNCEMENT_HEAD
from bot.sandbox.markup import utf16_length, visible_text
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID
from tests.e2e.steps import (
    DIGEST_READER,
    FOLLOWER,
    LAMP_PHOTO,
    STAFF,
    SUPERVISOR,
    rows,
    seed_project,
    submit_suggestion,
)

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


# -- announcements measured as Telegram measures them (second security review) ----------------------
# The room is Telegram's limit (4096 for a text, 1024 for a caption, in UTF-16 units: an emoji
# outside the BMP counts two) less the heading the readers see above the text.
HEAD = utf16_length(visible_text(ANNOUNCEMENT_HEAD, "HTML")) + 2  # and the blank line under it
TEXT_ROOM, CAPTION_ROOM = 4096 - HEAD, 1024 - HEAD


async def test_an_announcement_of_emoji_gets_a_polite_answer(sandbox: Sandbox) -> None:
    """2047 emoji: a message Telegram delivers to the bot, too long with the heading above it."""
    await seed_project(sandbox)
    await sandbox.say(ADMIN_ID, "/announce")
    await sandbox.press(ADMIN_ID, data="an:deputies:")
    [refused] = await sandbox.say(ADMIN_ID, "😀" * 2047)
    assert "4094 字" in refused.text and f"{TEXT_ROOM} 字" in refused.text, refused.text
    shown = await sandbox.say(ADMIN_ID, "😀" * (TEXT_ROOM // 2))  # what fits is previewed whole
    assert any("😀" * (TEXT_ROOM // 2) in s.text for s in shown)


async def test_an_announcement_photo_with_an_emoji_caption_gets_a_polite_answer(sandbox: Sandbox) -> None:
    await seed_project(sandbox)
    await sandbox.say(ADMIN_ID, "/announce")
    await sandbox.press(ADMIN_ID, data="an:deputies:")
    [refused] = await sandbox.photo(ADMIN_ID, LAMP_PHOTO, caption="😀" * 510)
    assert "1020 字" in refused.text and f"{CAPTION_ROOM} 字" in refused.text, refused.text
    shown = await sandbox.photo(ADMIN_ID, LAMP_PHOTO, caption="😀" * (CAPTION_ROOM // 2))
    assert any("😀" * (CAPTION_ROOM // 2) in s.text for s in shown)

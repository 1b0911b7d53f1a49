"""/start, /help, /language and the menus, for each role, end to end."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from bot.config import PROJECT_ROOT
from bot.db.models import User
from bot.permissions import restricted_entries
from bot.runtime.commands import commands_for
from bot.runtime.i18n import build_i18n
from bot.sandbox.session import Sandbox
from core.roles import Role
from handlers import setup_routers
from tests.conftest import ADMIN_ID, seed_areas_and_roster, shows_id


async def stored_user(sandbox: Sandbox, telegram_id: int) -> User:
    async with sandbox.runtime.session_factory() as session:
        return (await session.exec(select(User).where(User.telegram_id == telegram_id))).one()


async def test_new_resident_is_greeted_in_chinese_with_a_pseudonym(sandbox: Sandbox) -> None:
    [reply] = await sandbox.say(1001, "/start", name="王阿姨", lang="zh-hans")
    assert reply.to == 1001
    assert reply.text.startswith("您好，王阿姨！欢迎使用民生实事票决助手。")
    user = await stored_user(sandbox, 1001)
    assert user.role == "resident"
    assert f"居民#{user.pseudonym}" in reply.text
    assert not shows_id(reply.text, 1001)  # the Telegram id is never shown
    assert reply.buttons == [["我的建议", "帮助"], ["语言 / Language"]]


async def test_new_resident_is_greeted_in_english(sandbox: Sandbox) -> None:
    [reply] = await sandbox.say(1002, "/start", name="Alice", lang="en-US")
    assert reply.text.startswith("Hello, Alice! Welcome to Minsheng")
    assert "Resident #" in reply.text
    assert reply.buttons == [["My suggestions", "Help"], ["语言 / Language"]]


async def test_returning_user_is_welcomed_back(sandbox: Sandbox) -> None:
    await sandbox.say(1001, "/start", name="王阿姨")
    [reply] = await sandbox.say(1001, "/start")
    assert reply.text.startswith("王阿姨，欢迎回来！")


async def test_deputy_from_roster_sees_their_street(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    [reply] = await sandbox.say(2001, "/start", name="张伟")
    assert "您是莲花街道的人大代表。" in reply.text
    assert "所在联络站：莲花街道人大代表联络站" in reply.text
    assert (await stored_user(sandbox, 2001)).role == "deputy"
    # A roster line that named the street without 街道 matched the same street.
    [reply] = await sandbox.say(2002, "/start", name="李娜")
    assert "您是莲花街道的人大代表。" in reply.text
    assert "联络站" not in reply.text


async def test_admin_gets_the_admin_menu_and_roster(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    [reply] = await sandbox.say(ADMIN_ID, "/start", name="Admin")
    assert "您是人大常委会工作人员（管理员）。" in reply.text
    assert reply.buttons == [
        ["待处理的建议", "区级需求池"],
        ["代表名册", "我的建议"],
        ["帮助", "语言 / Language"],
    ]
    scope = f"chat:{ADMIN_ID}"
    assert [c["command"] for c in sandbox.server.world.commands[(scope, "")]] == [
        "start",
        "my",
        "projects",
        "cancel",
        "help",
        "language",
        "inbox",
        "roster",
        "deputies",
        "invite",
        "invites",
        "pool",
        "candidates",
        "rounds",
        "export",
        "announce",
        "evaluations",
    ]
    [roster] = await sandbox.press(ADMIN_ID, "代表名册")
    assert "莲花街道：2" in roster.text and "合计：2" in roster.text
    [roster] = await sandbox.say(ADMIN_ID, "/roster")
    assert "园岭街道：0" in roster.text


def test_each_role_finds_its_own_commands_in_its_menu(tmp_path: Path) -> None:
    """A command served to one role only (read off the router tree) is in that role's command menu:
    /invites was served to admins but missing from their menu."""
    commands, _prefixes = restricted_entries(setup_routers())
    own = {
        (command, role)
        for command, guard in commands.items()
        if len(guard.roles) == 1
        for role in guard.roles
    }
    assert ("invites", Role.ADMIN) in own and ("report", Role.STAFF) in own
    i18n = build_i18n(PROJECT_ROOT / "locales", tmp_path, "zh_CN")
    missing = sorted(
        (command, role.value)
        for command, role in own
        if command not in {c.command for c in commands_for(i18n, "zh_CN", role)}
    )
    assert missing == []


async def test_roster_is_refused_to_residents(sandbox: Sandbox) -> None:
    [reply] = await sandbox.say(1001, "/roster")
    assert reply.text == "这个命令只对人大常委会工作人员开放。"
    [alert] = await sandbox.press(1001, data="menu:roster")
    assert alert.method == "answerCallbackQuery" and alert.alert


async def test_language_switch_is_stored_and_used(sandbox: Sandbox) -> None:
    await sandbox.say(1001, "/start", lang="zh-hans")
    [choice] = await sandbox.say(1001, "/language")
    assert choice.buttons == [["中文", "English"]]
    edit, toast = await sandbox.press(1001, "English")
    assert toast.method == "answerCallbackQuery" and toast.text == "Switched to English."
    assert edit.method == "editMessageText" and edit.message_id == choice.message_id
    assert (await stored_user(sandbox, 1001)).locale == "en"
    [reply] = await sandbox.say(1001, "/help")
    assert "/language — Change language" in reply.text and "/my — My suggestions" in reply.text


async def test_forged_language_code_changes_nothing(sandbox: Sandbox) -> None:
    await sandbox.say(1001, "/start", lang="zh-hans")
    [alert] = await sandbox.press(1001, data="lang:fr")
    assert alert.text == "这个按钮已失效，请发送 /start 重新打开菜单。"
    assert (await stored_user(sandbox, 1001)).locale is None


async def test_help_lists_commands_per_role(sandbox: Sandbox) -> None:
    [resident] = await sandbox.say(1001, "/help")
    [admin] = await sandbox.say(ADMIN_ID, "/help")
    assert "/roster" not in resident.text
    assert "/roster" in admin.text


async def test_default_commands_are_registered_per_language(sandbox: Sandbox) -> None:
    commands = sandbox.server.world.commands
    assert commands[("default:", "")][0]["description"] == "开始 / 主菜单"
    assert commands[("default:", "en")][0]["description"] == "Start / main menu"
    assert commands[("default:", "zh")][1]["description"] == "我的建议"

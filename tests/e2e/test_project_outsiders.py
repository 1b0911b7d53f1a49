"""A project's buttons pressed by those outside it (issue 18): a deputy of the project's street who
is not in its supervision group, and staff of another department, are refused every inner button
and nothing changes; a deputy taken out of the group cannot finish an inspection started before."""

from __future__ import annotations

from sqlmodel import col

from bot.db.models import Deputy, Project, ProjectEvent, ProjectSupervisor, StaffMember
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID
from tests.e2e.steps import STAFF, SUPERVISOR, rows, seed_project

OUTSIDE_DEPUTY = 2002  # 李娜, a deputy of 莲花街道 too, not in the supervision group
OTHER_STAFF = 3002  # 区教育局
INNER = ("report", "plan", "done", "inspect", "feedback", "change", "field:budget", "group", "member")
REFUSED = (
    "只有项目责任单位的工作人员可以报告进度。",
    "只有这个项目监督组的代表可以记录视察。",
    "请先关注这个项目。",
    "只有管理员可以这样做。",
)


async def snapshot(sandbox: Sandbox) -> tuple:  # type: ignore[type-arg]
    projects = [
        (p.id, p.version, p.percent, p.budget, p.spent, p.status) for p in await rows(sandbox, Project)
    ]
    events = [(e.id, e.kind) for e in await rows(sandbox, ProjectEvent)]
    group = [(s.project_id, s.deputy_id) for s in await rows(sandbox, ProjectSupervisor)]
    return projects, events, group


def button(project: Project, act: str, deputy_id: int) -> str:
    kind, _sep, arg = act.partition(":")
    if kind == "member":
        arg = f"{deputy_id}-0"
    return f"pa:{project.id}:{kind}:{arg}:{project.version}"


async def test_outsiders_pressing_a_projects_buttons_are_refused(sandbox: Sandbox) -> None:
    project = await seed_project(sandbox)
    async with sandbox.runtime.session_factory() as session:
        session.add(
            StaffMember(
                telegram_id=OTHER_STAFF, name="钱科长", department="区教育局", created_at=sandbox.clock.now()
            )
        )
        await session.commit()
    await sandbox.say(OUTSIDE_DEPUTY, "/start", name="李娜")
    await sandbox.say(OTHER_STAFF, "/start", name="钱科长")
    [supervisor, outsider] = await rows(
        sandbox, Deputy, col(Deputy.telegram_id).in_([SUPERVISOR, OUTSIDE_DEPUTY])
    )
    # The admin puts 张伟 in the supervision group.
    await sandbox.press(ADMIN_ID, data=button(project, "member", supervisor.id))
    assert [g.deputy_id for g in await rows(sandbox, ProjectSupervisor)] == [supervisor.id]
    [project] = await rows(sandbox, Project)

    # The outsiders' cards show no inner buttons.
    for person in (OUTSIDE_DEPUTY, OTHER_STAFF):
        await sandbox.say(person, "/projects")
        await sandbox.press(person, "养老济困（1）")
        [card] = await sandbox.press(person, f"#{project.id} 新建社区长者饭堂 · 0%")
        labels = {label for row in card.buttons for label in row}
        assert not labels & {"🔍 视察记录", "📈 报告进度", "📋 提交实施方案", "✏️ 变更", "👥 监督组"}, labels
    # Another department's /report does not list the project.
    shown = await sandbox.say(OTHER_STAFF, "/report")
    assert not [s for s in shown if "新建社区长者饭堂" in s.text + str(s.buttons)]

    # Forged presses of every inner button: refused with an alert, nothing changed.
    before = await snapshot(sandbox)
    for person in (OUTSIDE_DEPUTY, OTHER_STAFF):
        for act in INNER:
            data = button(project, act, outsider.id)
            [refused] = await sandbox.press(person, data=data)
            assert refused.method == "answerCallbackQuery" and refused.alert, (person, data, refused)
            assert refused.text in REFUSED, (person, data, refused.text)
            # And no flow was started: a text now is not taken as a note or a report.
            await sandbox.say(person, "随便写点什么，看看会不会被记录。")
    assert await snapshot(sandbox) == before

    # The same presses pass for those inside (the data is right): the group's deputy and the
    # department's staff are asked for their note and their plan.
    [asked] = await sandbox.press(SUPERVISOR, data=button(project, "inspect", supervisor.id))
    assert asked.text.startswith("请写下视察情况")
    shown = await sandbox.press(STAFF, data=button(project, "plan", supervisor.id))
    assert not any(s.alert for s in shown), shown
    await sandbox.say(STAFF, "/cancel")

    # 张伟 is taken out of the group while writing: the note he started is not recorded, and the
    # button he still has is refused.
    await sandbox.press(ADMIN_ID, data=button(project, "member", supervisor.id))
    assert await rows(sandbox, ProjectSupervisor) == []
    before = await snapshot(sandbox)
    await sandbox.say(SUPERVISOR, "现场查看了装修进度。")
    shown = await sandbox.press(SUPERVISOR, "跳过，不附照片")
    assert not [s for s in shown if s.text.startswith("✅ 已记录")], shown
    assert shown[-1].to == SUPERVISOR and shown[-1].text == "只有这个项目监督组的代表可以记录视察。"
    [refused] = await sandbox.press(SUPERVISOR, data=button(project, "inspect", supervisor.id))
    assert refused.alert and refused.text == "只有这个项目监督组的代表可以记录视察。"
    assert await snapshot(sandbox) == before

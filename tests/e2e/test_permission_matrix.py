"""Every callback prefix of bot/keyboards/, pressed as each role, against one permission matrix.

The presser is never the row's author, deputy, department or follower unless the matrix says so:
a resident, a deputy of another street (福保), staff of another department (区教育局), an admin.
"ok" means the press passed the permission layer (router filters and context loaders); "no" that
it was refused there, with an alert and nothing changed.
"""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.db.models import Deputy, Project, Street, Suggestion
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID, seed_areas_and_roster
from tests.e2e.steps import STREET_ROSTER as ROSTER
from tests.e2e.steps import add_staff, elect_project
from tests.e2e.steps import submit_suggestion as submit

RESIDENT, FAR_DEPUTY, OTHER_STAFF, AUTHOR = 1001, 2003, 3002, 1005
ROLES = {"resident": RESIDENT, "far_deputy": FAR_DEPUTY, "other_staff": OTHER_STAFF, "admin": ADMIN_ID}

# The permission matrix: callback data (with {s} a submitted 莲花 suggestion, {v} its version, {t}
# one in the district pool, {f} a feasible one, {d} the author's draft, {p} a 区民政局 project,
# {street} 香蜜湖's id) -> who gets through. Everything else is refused.
ALL = {"resident", "far_deputy", "other_staff", "admin"}
MATRIX: dict[str, set[str]] = {
    # the menu and languages: everyone
    "menu:help": ALL,
    "lang:zh_CN": ALL,  # (the language the refusals are read in)
    "my:1": ALL,
    # triage of a 莲花 suggestion: its street's deputies (none here) and admins
    "tk:{s}:{v}:to_street": {"admin"},
    "tc:{s}:{v}:to_street": {"admin"},
    "td:{s}:{v}:0": {"admin"},
    "tm:{s}:{v}:{s2}": {"admin"},
    "tr:{s}:{v}:environment": {"admin"},
    "ts:{s}:{v}:{street}": {"admin"},
    "ib:1": {"far_deputy", "admin"},
    "oc:{s}": {"admin"},
    "oc:{t}": {"other_staff", "admin"},  # in the district pool, staff may read it
    "sv:{s}": {"admin"},
    "ft:{s}": {"admin"},  # the whole text: its readers, as its card
    "ft:{t}": {"other_staff", "admin"},
    # the district pool: staff (of any department) and admins; nominating: admins
    "pl:1": {"other_staff", "admin"},
    "fz:{t}:{tv}:1": {"other_staff", "admin"},
    "nm:{f}:{fv}": {"admin"},
    "nt:{f}:{fv}": {"admin"},
    # the author's own buttons: nobody else
    "aq:{s}:{v}": set(),
    "sw:{s}:0": set(),
    "dc:{d}:culture": set(),
    "ds:{d}:{street}": set(),
    "dm:{d}:1": set(),
    "dx:{d}:skip_photo": set(),
    "df:{d}:{s}": set(),
    # projects: anyone reads; the department reports, the group inspects, followers give
    # feedback, admins change
    "pb:eldercare": ALL,
    "pa:{p}:show::{pv}": ALL,
    "pa:{p}:report::{pv}": set(),
    "pa:{p}:done::{pv}": set(),
    "pa:{p}:inspect::{pv}": set(),
    "pa:{p}:feedback::{pv}": set(),
    "pa:{p}:change::{pv}": {"admin"},
    "pr:percent:50": set(),  # only within a report's flow
    # the office's tools
    "iv:deputy": {"admin"},
    "is:{street}": {"admin"},
    "ir:1": {"admin"},
    "md:1:show:0": {"admin"},
    "cp:1": {"admin"},
    "an:stats:0": {"admin"},
    "ra:1:show": {"admin"},
    "rn:approval": {"admin"},
    "pd:1:1": {"admin"},
    "pc:1": {"admin"},
    "ea:0:show": {"admin"},
    # ballots and ratings: deputies and admins pass the role filter (the electorate is the
    # rounds' own check)
    "bt:1:c1": {"far_deputy", "admin"},
    "bm:1:c1:y": {"far_deputy", "admin"},
    "bs:1:submit": {"far_deputy", "admin"},
    "bp:1:1": {"far_deputy", "admin"},
    "cc:1:c1": {"far_deputy", "admin"},
    "er:1:0:s": {"far_deputy", "admin"},
    "en:1:0:card": {"far_deputy", "admin"},
    "ec:1:00000000": {"far_deputy", "admin"},
}

# Rounds and ratings name rows that do not exist here (the votes' own tests have them): for
# these only the router's role filter is asked about, its "只对…开放" answer.
ROLE_ONLY = {"ra", "rn", "pd", "pc", "bt", "bm", "bs", "bp", "cc", "er", "en", "ec", "ea"}

# Refusals of the permission layer (and the stale answer a non-author gets for a draft's button).
REFUSALS = (
    "只对",  # 这个按钮只对…开放。
    "这条建议不属于您的街道，您不能处理。",
    "找不到这条建议。",
    "这个按钮已失效",
    "只有项目责任单位的工作人员可以报告进度。",
    "只有这个项目监督组的代表可以记录视察。",
    "请先关注这个项目。",
    "只有管理员可以这样做。",
    "这个问题已经回答过，或者不再需要回答。",
    "这条建议已经有代表处理，不能再撤回了。",
    "请发送 0 到 100 之间的数字",
)


def test_every_callback_prefix_is_in_the_matrix() -> None:
    from aiogram.filters.callback_data import CallbackData

    import bot.keyboards  # noqa: F401
    import handlers  # noqa: F401  (modules that define their own CallbackData)

    def subclasses(cls: type) -> set[type]:
        return {c for sub in cls.__subclasses__() for c in {sub, *subclasses(sub)}}

    prefixes = {
        cls.__prefix__ for cls in subclasses(CallbackData) if cls.__module__.startswith(("bot.", "handlers."))
    }
    covered = {data.split(":", 1)[0] for data in MATRIX}
    assert prefixes - covered == set()


@pytest.fixture
async def world(sandbox: Sandbox) -> tuple[Sandbox, dict[str, int]]:
    await seed_areas_and_roster(sandbox, ROSTER)
    await add_staff(sandbox, OTHER_STAFF, "钱科长", "区教育局")
    project = await elect_project(sandbox)
    for user in (*ROLES.values(), AUTHOR, 2001):
        await sandbox.say(user, "/start", lang="zh-hans")
    s = await submit(sandbox, AUTHOR, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    s2 = await submit(sandbox, AUTHOR, "希望社区开设老年食堂，方便独居老人吃饭")
    t = await submit(sandbox, AUTHOR, "希望在社区增设电动自行车充电桩，方便居民充电")
    f = await submit(sandbox, AUTHOR, "公园的健身器材坏了很久，希望尽快维修更换")
    await sandbox.say(AUTHOR, "垃圾桶太少了，希望小区多放几个分类垃圾桶")
    async with sandbox.runtime.session_factory() as session:
        for row, state in ((t, "to_district"), (f, "feasible")):
            fresh = await session.get(Suggestion, row.id)
            fresh.state = state  # type: ignore[union-attr]
            session.add(fresh)
        await session.commit()
        draft = (await session.exec(select(Suggestion).where(Suggestion.state == "draft"))).one()
        street = (await session.exec(select(Street).where(Street.name == "香蜜湖街道"))).one()
        deputy = (await session.exec(select(Deputy).order_by(col(Deputy.id)))).first()
    ids = {
        "s": s.id,
        "v": s.version,
        "s2": s2.id,
        "t": t.id,
        "tv": t.version,
        "f": f.id,
        "fv": f.version,
        "d": draft.id,
        "p": project.id,
        "pv": project.version,
        "street": street.id,
        "deputy": deputy.id,
    }
    return sandbox, ids  # type: ignore[return-value]


async def snapshot(sandbox: Sandbox) -> list[tuple]:  # type: ignore[type-arg]
    async with sandbox.runtime.session_factory() as session:
        suggestions = (await session.exec(select(Suggestion).order_by(col(Suggestion.id)))).all()
        projects = (await session.exec(select(Project))).all()
        return [(s.id, s.state, s.version, s.category, s.street_id) for s in suggestions] + [
            (p.id, p.version, p.percent) for p in projects
        ]


async def test_each_role_presses_each_prefix(world: tuple[Sandbox, dict[str, int]]) -> None:
    sandbox, ids = world
    observed: dict[str, set[str]] = {}
    for template in MATRIX:
        data = template.format(**ids)
        observed[template] = set()
        for role, user in ROLES.items():
            before = await snapshot(sandbox)
            shown = await sandbox.press(user, data=data)
            texts = ("只对",) if template.split(":", 1)[0] in ROLE_ONLY else REFUSALS
            refused = (
                bool(shown)
                and shown[0].method == "answerCallbackQuery"
                and shown[0].alert
                and any(text in shown[0].text for text in texts)
            )
            if refused:
                assert await snapshot(sandbox) == before, (template, role)  # nothing changed
            else:
                observed[template].add(role)
            # The admin's presses may move the row: put it back for the next prefix.
            async with sandbox.runtime.session_factory() as session:
                for sid, state, version, category, street_id in [row for row in before if len(row) == 5]:
                    row = await session.get(Suggestion, sid)
                    row.state, row.version, row.category, row.street_id = state, version, category, street_id  # type: ignore[union-attr]
                    session.add(row)
                await session.commit()
    wrong = {t: (observed[t], MATRIX[t]) for t in MATRIX if observed[t] != MATRIX[t]}
    assert wrong == {}, "\n".join(
        f"{t}: passed {sorted(o)}, matrix says {sorted(e)}" for t, (o, e) in wrong.items()
    )

"""Who may see and do what (issue 13): forged presses, other streets and departments, followers,
group chats — each hole tried as an attacker would, through the local Bot API server."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.db.models import (
    CategoryCorrection,
    Deputy,
    Follow,
    Project,
    StaffMember,
    Street,
    Suggestion,
)
from bot.sandbox.session import Sandbox
from bot.services.container import Services
from bot.services.projects import Report
from tests.conftest import ADMIN_ID
from tests.e2e.steps import DEPUTY, FAR_DEPUTY, RESIDENT, draft_suggestion, elect_project, rows
from tests.e2e.steps import submit_suggestion as submit

NEIGHBOUR, FAR_RESIDENT = 1003, 1005
STAFF = 3001  # 区民政局
PRIVATE_ANSWER = "我的电话13800138000，住莲花路1号3栋"
QUESTION = "请问具体是哪一栋楼？"
GROUP = -100123


@pytest.fixture
async def street(street: Sandbox) -> Sandbox:
    """The shared street (tests/e2e/conftest.py), with 区民政局's staff member and two more residents."""
    async with street.runtime.session_factory() as session:  # type: ignore[union-attr]
        session.add(
            StaffMember(
                telegram_id=STAFF, name="赵科长", department="区民政局", created_at=street.clock.now()
            )
        )
        await session.commit()
    for user, name in ((NEIGHBOUR, "李叔"), (FAR_RESIDENT, "陈姐"), (STAFF, "赵科长")):
        await street.say(user, "/start", name=name)
    return street


async def test_staff_cannot_reclassify_or_reassign_by_forged_presses(street: Sandbox) -> None:
    """Fault 2: staff of 区民政局 pressed forged tr:/ts: and moved a 莲花 suggestion."""
    suggestion = await submit(street, RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    [xiangmihu] = await rows(street, Street, Street.name == "香蜜湖街道")
    mark = len(street.shown)
    for data in (
        f"tr:{suggestion.id}:{suggestion.version}:environment",
        f"ts:{suggestion.id}:{suggestion.version}:{xiangmihu.id}",
        f"tk:{suggestion.id}:{suggestion.version}:reclass",
        f"tc:{suggestion.id}:{suggestion.version}:to_district",
        f"td:{suggestion.id}:{suggestion.version}:0",
    ):
        [refused] = await street.press(STAFF, data=data)
        assert refused.alert and refused.method == "answerCallbackQuery", data
    # A deputy of another street is refused the same way.
    [far] = await street.press(FAR_DEPUTY, data=f"tr:{suggestion.id}:{suggestion.version}:environment")
    assert far.alert and far.text == "这条建议不属于您的街道，您不能处理。"
    [after] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
    assert (after.category, after.street_id, after.state, after.version) == (
        suggestion.category,
        suggestion.street_id,
        "submitted",
        suggestion.version,
    )
    assert await rows(street, CategoryCorrection) == []  # nothing fed to classify --learn
    assert not [s for s in street.shown[mark:] if s.to == RESIDENT]  # the resident was told nothing


async def test_forged_follow_reads_no_other_suggestion_and_followers_never_see_the_relay(
    street: Sandbox,
) -> None:
    """Fault 3: a forged df: followed any suggestion (another street's, an unsent draft) and the
    detail then showed the author's private answers; real followers saw them too."""
    text = "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全"
    mine = await submit(street, RESIDENT, text)
    # The deputy asks back; the author answers with a phone number and an address.
    await street.press(DEPUTY, "追问")
    await street.say(DEPUTY, QUESTION)
    await street.press(RESIDENT, "回答代表的问题")
    await street.say(RESIDENT, PRIVATE_ANSWER)
    # Another street's submitted suggestion, and another person's unsent draft.
    far = await submit(
        street, FAR_RESIDENT, "福保这边的公园健身器材坏了，希望尽快更换", street="福保街道", community=None
    )
    await street.say(FAR_RESIDENT, "我家楼下的垃圾桶太少了，希望多放几个，我的电话是13911112222")
    [far_draft] = await rows(street, Suggestion, Suggestion.state == "draft")
    # The neighbour writes a near-duplicate and is offered 'follow' for `mine` only.
    asked = await draft_suggestion(street, NEIGHBOUR, text)
    offer = await street.press(NEIGHBOUR, asked.buttons[0][0])
    assert any("关注" in label for row in offer[-1].buttons for label in row), offer
    [own_draft] = await rows(street, Suggestion, Suggestion.state == "draft", Suggestion.id != far_draft.id)
    before = len(await rows(street, Follow))
    for target in (far.id, far_draft.id, 999_999):
        [refused] = await street.press(NEIGHBOUR, data=f"df:{own_draft.id}:{target}")
        assert refused.alert, target
        [hidden] = await street.press(NEIGHBOUR, data=f"sv:{target}")
        assert hidden.alert and hidden.text == "找不到这条建议。"
    assert len(await rows(street, Follow)) == before
    [not_yet] = await street.press(NEIGHBOUR, data=f"sv:{mine.id}")
    assert not_yet.alert  # nothing to read before following
    # The real button: the neighbour follows `mine` and reads its public history only.
    shown = await street.press(NEIGHBOUR, data=f"df:{own_draft.id}:{mine.id}")
    assert "您已关注" in shown[-1].text
    detail = await street.press(NEIGHBOUR, data=f"sv:{mine.id}")
    page = detail[-1].text
    assert "待补充" in page and "已提交" in page  # the states are public
    assert PRIVATE_ANSWER not in page and QUESTION not in page and "13800138000" not in page
    # The author reads the whole history.
    author_view = await street.press(RESIDENT, data=f"sv:{mine.id}")
    assert PRIVATE_ANSWER in author_view[-1].text
    # A new question reaches the author with its text and the follower without it.
    await street.press(
        DEPUTY,
        data=f"tk:{mine.id}:{(await rows(street, Suggestion, Suggestion.id == mine.id))[0].version}:ask",
    )
    told = await street.say(DEPUTY, "还有别的情况吗？")
    to_neighbour = [s for s in told if s.to == NEIGHBOUR]
    assert to_neighbour and all("还有别的情况吗" not in s.text for s in to_neighbour)
    assert any("还有别的情况吗" in s.text for s in told if s.to == RESIDENT)


async def test_staff_read_a_suggestion_only_once_it_reaches_the_district_pool(street: Sandbox) -> None:
    suggestion = await submit(street, RESIDENT, "希望社区开设老年食堂，方便独居老人吃饭")
    [refused] = await street.press(STAFF, data=f"oc:{suggestion.id}")
    assert refused.alert
    [far] = await street.press(FAR_DEPUTY, data=f"oc:{suggestion.id}")
    assert far.alert
    await street.press(DEPUTY, "报区人大常委会")
    await street.press(DEPUTY, "确定：报区人大常委会")
    [card] = await street.press(STAFF, data=f"oc:{suggestion.id}")
    assert card.buttons == [["论证可行", "论证不可行"]]
    [resident] = await street.press(NEIGHBOUR, data=f"oc:{suggestion.id}")
    assert resident.alert and "人大代表" in resident.text


async def seed_project(sandbox: Sandbox) -> Project:
    """The steps' project with its plan filed, 张伟 in its supervision group."""
    project = await elect_project(sandbox)
    async with sandbox.runtime.session_factory() as session:
        services = Services(session, sandbox.clock, sandbox.settings)
        project.plan_filed_at = sandbox.clock.now()
        session.add(project)

        zhang = (await session.exec(select(Deputy).where(Deputy.telegram_id == DEPUTY))).one()
        await services.projects.toggle_supervisor(project, zhang.id)  # type: ignore[arg-type]
        await session.commit()
        await session.refresh(project)
        return project


async def test_project_feedback_stays_with_the_group_the_department_and_admins(street: Sandbox) -> None:
    """Fault 4: residents' feedback showed in every reader's 最近动态 and 全部动态."""
    project = await seed_project(street)
    secret = "饭堂太远了，我的电话13900001111"
    for reader in (RESIDENT, NEIGHBOUR):
        await street.press(reader, data=f"pa:{project.id}:follow::{project.version}")
    await street.press(RESIDENT, data=f"pa:{project.id}:feedback::{project.version}")
    await street.say(RESIDENT, secret)
    for reader, sees in (
        (NEIGHBOUR, False),
        (FAR_DEPUTY, False),
        (DEPUTY, True),  # the supervision group
        (STAFF, True),  # the department
        (ADMIN_ID, True),
        (RESIDENT, True),  # their own words
    ):
        if reader == ADMIN_ID:
            await street.say(ADMIN_ID, "/start", name="办公室")
        # The history is a new message; the card then replaces it (an edit of an unchanged card
        # would show nothing).
        [history] = await street.press(reader, data=f"pa:{project.id}:history::{project.version}")
        [card] = await street.press(reader, data=f"pa:{project.id}:show::{project.version}")
        assert ("13900001111" in card.text) is sees, (reader, card.text)
        assert ("13900001111" in history.text) is sees, (reader, history.text)


async def test_percent_is_0_to_100_whatever_is_pressed_or_typed(street: Sandbox) -> None:
    """Fault 8: a forged pr:percent:250 (or -5) gave 250%, 已完成 and completion points."""
    project = await seed_project(street)
    await street.press(STAFF, data=f"pa:{project.id}:report::{project.version}")
    for forged in ("250", "-5", "1e2", "", "abc", "101"):
        [refused] = await street.press(STAFF, data=f"pr:percent:{forged}")
        assert refused.alert and "0 到 100" in refused.text, forged
    for typed in ("250", "-5", "１００", "²⁵"):
        [asked] = await street.say(STAFF, typed)
        assert "0 到 100" in asked.text, typed
    [after] = await rows(street, Project, Project.id == project.id)
    assert (after.percent, after.status, after.done_at) == (0, project.status, None)
    with pytest.raises(ValueError):
        Report(percent=250)
    with pytest.raises(ValueError):
        Report(percent=-1)
    # A resident cannot even reach the step.
    [refused] = await street.press(RESIDENT, data=f"pa:{project.id}:report::{project.version}")
    assert refused.alert and "责任单位" in refused.text


async def test_in_a_group_only_start_is_answered_with_a_link(street: Sandbox) -> None:
    """Fault 6: in an owners' group /my listed suggestions, /start showed the pseudonym, and a
    text started a suggestion flow."""
    await submit(street, RESIDENT, "我们小区门口的路灯坏了好几个月，晚上老人出门很不安全")
    drafts = len(await rows(street, Suggestion))
    shown = await street.say_in_group(RESIDENT, GROUP, "/start")
    assert len(shown) == 1 and shown[0].to == GROUP
    assert "https://t.me/" in shown[0].text and "?start" in shown[0].text
    assert "居民#" not in shown[0].text and not shown[0].buttons
    for text in ("/my", "/help", "/projects", "/inbox", "小区门口的垃圾桶太少了，希望多放几个", "/deputies"):
        assert await street.say_in_group(RESIDENT, GROUP, text) == [], text
    assert await street.say_in_group(ADMIN_ID, GROUP, "/deputies") == []
    assert len(await rows(street, Suggestion)) == drafts  # no flow started
    # A (forged) button press in the group is answered with nothing shown.
    assert await street.press_in_group(RESIDENT, GROUP, "my:1") == []
    assert all(record.answered for record in street.server.world.callbacks.values())

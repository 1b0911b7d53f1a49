"""Nominating a suggestion: the admin confirms the neutral title or types another; the resident's
words never become the candidate's title (issue 13, fault 5)."""

from __future__ import annotations

from bot.db.models import CandidateItem, Suggestion
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID
from tests.e2e.steps import DEPUTY, rows
from tests.e2e.steps import submit_suggestion as submit

RAW = "我是王秀英，住彩田村3栋，电话13800138000，希望在社区增设电动自行车充电桩"


async def test_the_admin_types_the_candidate_title(street: Sandbox) -> None:
    suggestion = await submit(street, 1005, RAW)
    await street.press(DEPUTY, "报区人大常委会")
    await street.press(DEPUTY, "确定：报区人大常委会")
    async with street.runtime.session_factory() as session:  # the staff's finding, as in the matrix test
        row = await session.get(Suggestion, suggestion.id)
        row.state = "feasible"  # type: ignore[union-attr]
        session.add(row)
        await session.commit()
    [row] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
    [offered] = await street.press(ADMIN_ID, data=f"nm:{row.id}:{row.version}")
    assert "13800138000" not in offered.text and "王秀英" not in offered.text
    assert offered.text.startswith("候选项目标题：<b>") and offered.buttons == [["用这个标题"]]
    assert await rows(street, CandidateItem) == []  # nothing nominated yet
    [short] = await street.say(ADMIN_ID, "桩")
    assert short.text == "标题应为 2 到 200 个字，请重新发送："
    await street.say(ADMIN_ID, "彩田社区电动自行车充电设施")
    [item] = await rows(street, CandidateItem)
    [nominated] = await rows(street, Suggestion, Suggestion.id == suggestion.id)
    assert item.title == "彩田社区电动自行车充电设施" and nominated.state == "candidate"

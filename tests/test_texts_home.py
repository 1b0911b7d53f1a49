"""Words in one home (issue 14): a sentence, a template or a multi-word text is written in one module
and imported from there (bot/common_texts.py for what handlers share); only short labels may repeat.

The walk is babel's own extraction over bot/, handlers/ and core/ (the same one tests/test_i18n.py
uses), so whatever `_()` / `N_()` / `__()` marks with a literal counts; a constant passed to `_()`
is not a second copy.
"""

from __future__ import annotations

import re
from collections import defaultdict

from babel.messages.extract import extract_from_dir

from bot.config import PROJECT_ROOT

KEYWORDS = {"_": None, "N_": None, "__": None}

# Button labels that may stand in several keyboards: one word (with its arrow or tick).
SHARED_BUTTONS = frozenset({"« 返回", "« 上一页", "下一页 »", "✅ 确认提交"})

# Labels written in two modules today: column headers of the year workbook and the board, menu
# entries and their command descriptions, state and action names of core/workflow.py repeated by the
# triage keyboard. Not yet given one home; the list may only shrink (the test fails when an entry is
# no longer written twice, so it is taken off) and holds labels only, never a sentence or template.
LABELS_NOT_YET_HOMED = frozenset(
    {
        *("履职积分", "草稿", "转社区办理", "转立法联系点", "转街道", "报区人大常委会", "不予采纳"),
        *("名称", "责任单位", "类别", "候选项目", "赞成", "反对", "弃权", "效果票评", "满意"),
        *("基本满意", "不满意", "已排期", "已公布", "合并", "追问", "改类别", "改街道", "地点"),
        *("是", "否", "建议", "编号", "状态", "时间", "代表", "事项"),
        *("积分", "当选", "项目", "预算（万元）", "已支出（万元）", "评价数", "满意度"),
        *("加分档", "60%以下", "待处理的建议", "区级需求池", "代表名册", "我的建议", "帮助"),
        *("投票率", "公布结果", "全体人大代表", "论证可行", "论证不可行"),
    }
)

# A label: short, one line, no placeholder and no sentence punctuation.
LABEL = re.compile(r"^[^\n{}。！？，：；]{1,8}$")


def modules_by_message() -> dict[str, set[str]]:
    where: dict[str, set[str]] = defaultdict(set)
    for folder in ("bot", "handlers", "core"):
        for file, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            where[message if isinstance(message, str) else message[0]].add(f"{folder}/{file}")
    return where


def test_each_message_is_written_in_one_module() -> None:
    where = modules_by_message()
    twice = {message: sorted(modules) for message, modules in where.items() if len(modules) > 1}
    unexpected = {m: s for m, s in twice.items() if m not in SHARED_BUTTONS | LABELS_NOT_YET_HOMED}
    assert not unexpected, f"written in more than one module (move to a texts module): {unexpected}"


def test_the_allowances_stay_labels_and_only_shrink() -> None:
    where = modules_by_message()
    assert all(LABEL.match(label) for label in SHARED_BUTTONS | LABELS_NOT_YET_HOMED)
    homed = sorted(label for label in LABELS_NOT_YET_HOMED if len(where.get(label, ())) < 2)
    assert not homed, f"now written once, take off LABELS_NOT_YET_HOMED: {homed}"


def test_the_stale_button_sentence_is_written_once() -> None:
    stale = {m: s for m, s in modules_by_message().items() if "按钮已失效" in m}
    assert stale and all(modules == {"bot/common_texts.py"} for modules in stale.values()), stale

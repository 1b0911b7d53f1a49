"""How a suggestion's life reads: its states, the deputies' actions on it, the points ledger's items.

Marked with `N_` and translated where they are shown (bot/presenters.state_label and action_label,
the triage keyboard, the exports).
"""

from __future__ import annotations

from bot.common_texts import DRAFT
from core.text import N_
from core.workflow import State

# A forward is named by the state it leads to.
FORWARDS = {
    "to_community": N_("转社区办理"),
    "to_legislation": N_("转立法联系点"),
    "to_street": N_("转街道"),
    "to_district": N_("报区人大常委会"),
}
DECLINE = N_("不予采纳")

STATE_LABELS: dict[State, str] = {
    State.DRAFT: DRAFT,
    State.ABANDONED: N_("未提交"),
    State.SUBMITTED: N_("已提交"),
    State.NEEDS_INFO: N_("待补充"),
    State.TO_COMMUNITY: FORWARDS["to_community"],
    State.TO_LEGISLATION: FORWARDS["to_legislation"],
    State.TO_STREET: FORWARDS["to_street"],
    State.TO_DISTRICT: FORWARDS["to_district"],
    State.MERGED: N_("已合并"),
    State.DECLINED: DECLINE,
    State.WITHDRAWN: N_("已撤回"),
    State.FEASIBLE: N_("论证可行"),
    State.INFEASIBLE: N_("论证不可行"),
    State.CANDIDATE: N_("候选项目"),
    State.ELECTED: N_("票决通过"),
    State.NOT_ELECTED: N_("未当选"),
}

# What a deputy did, as the card's buttons and the points ledger name it.
ACTION_LABELS = {
    **FORWARDS,
    "merge": N_("合并"),
    "decline": DECLINE,
    "ask": N_("追问"),
    "on_behalf": N_("代征集"),
    "reclassify": N_("改类别"),
    "reassign": N_("改街道"),
}

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

# The resident's intake: a similar suggestion found before sending, and the receipt.
SIMILAR_OWN = N_(
    "您已经提交过一条相似的建议：\n<b>{tracking}</b>「{excerpt}」\n状态：{state}\n\n"
    "它的每一步进展都会通知您。要再提交一条吗？"
)
SIMILAR_IN_STREET = N_(
    "您所在街道已经有一条相似的建议：\n<b>{tracking}</b>「{excerpt}」\n状态：{state}\n\n"
    "您可以关注它，它的每一步进展都会通知您；也可以仍然提交您自己的建议。"
)
SUBMITTED = N_(
    "✅ 已提交！编号 <b>{tracking}</b>\n类别：{category}\n地点：{place}\n\n"
    "所在街道的人大代表会看到这条建议，每一步进展都会通知您。发送 /my 查看您的建议。"
)

# The admin nominating a suggestion confirms its neutral candidate title.
CANDIDATE_TITLE = N_(
    "候选项目标题：<b>{title}</b>\n点“用这个标题”确认，或发送另一个标题（发送 /cancel 取消）："
)

# What the outbox tells about a suggestion (bot/notify.py, bot/notices/suggestions.py).
NEW_IN_YOUR_STREET = N_("📥 您的街道有一条新建议：")
DEPUTY_ASKS = N_("人大代表想进一步了解您的建议 <b>{tracking}</b>：\n{question}\n\n请点下面的按钮回答。")
YOURS_MOVED = N_("您的建议 <b>{tracking}</b> 有新进展：")
FOLLOWED_MOVED = N_("您关注的建议 <b>{tracking}</b> 有新进展：")
RECLASSIFIED = N_("类别改为：{category}")
REASSIGNED = N_("转给了{street}的代表")
SEE_MY = N_("发送 /my 查看详情。")

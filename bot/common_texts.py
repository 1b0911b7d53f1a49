"""Sentences the handlers share: each stands here once (issue 14, "words in one home").

Constants are marked with `N_` for extraction and translated where they are sent: `_(STALE_BUTTON)`
inside an i18n context. tests/test_texts_home.py fails when one message is written in two modules.
"""

from __future__ import annotations

from core.text import N_

# A press on a button whose message, draft or row is gone (a restart, another admin's act, a second tap).
STALE_BUTTON = N_("这个按钮已失效，请发送 /start 重新打开菜单。")
# The same for a resident's draft: the intake starts again from /start.
STALE_DRAFT = N_("这个按钮已失效，请发送 /start 重新开始。")
# An act the row's state no longer allows (the round closed, the suggestion moved on).
NOT_NOW = N_("这个操作现在不能进行了。")
CANCELLED = N_("已取消。")
PROJECT_NOT_FOUND = N_("没有找到这个项目。")
PROJECT_CHANGED = N_("项目刚刚有了变化，请看最新的卡片。")
ONLY_DEPARTMENT_REPORTS = N_("只有项目责任单位的工作人员可以报告进度。")
NOT_YOUR_STREET = N_("这条建议不属于您的街道，您不能处理。")
# A suggestion too short to act on (typed by a resident, or relayed by a deputy).
SAY_MORE = N_("能再多写几句吗？说说在哪里、是什么问题、希望怎样改进。")

# Lines and fragments of cards, digests and exports, filled with `.format(...)` after translation.
RESIDENT_PSEUDONYM = N_("居民#{code}")
CATEGORY_LINE = N_("类别：{category}")
PLACE_LINE = N_("地点：{place}")
STATUS_LINE = N_("状态：{status}")
REASON_LINE = N_("说明：{reason}")
REASON_ASIDE = N_("（{reason}）")
DEPUTY_NAME = N_("{name}代表")
# Joins the items of a list in a sentence ("#1、#2").
LIST_SEPARATOR = N_("、")

# Statuses that suggestions, selection rounds and evaluation rounds share.
DRAFT = N_("草稿")
SCHEDULED = N_("已排期")
PUBLISHED = N_("已公布")

# The menu's entries: the /start buttons and the command list's descriptions (bot/runtime/commands.py).
MY_SUGGESTIONS = N_("我的建议")
HELP = N_("帮助")
INBOX = N_("待处理的建议")
POINTS = N_("履职积分")
POOL = N_("区级需求池")
ROSTER = N_("代表名册")
EVALUATIONS = N_("效果票评")
# A deputy when no name is at hand (a refusal's actor, an export's column).
DEPUTY = N_("代表")

# Buttons that stand in several keyboards.
BACK = N_("« 返回")
PREVIOUS_PAGE = N_("« 上一页")
NEXT_PAGE = N_("下一页 »")
CONFIRM_SUBMIT = N_("✅ 确认提交")
PUBLISH_RESULTS = N_("公布结果")
TURNOUT = N_("投票率")
ALL_DEPUTIES = N_("全体人大代表")

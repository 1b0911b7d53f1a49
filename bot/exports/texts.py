"""Column headers and cell words of the tables that leave the bot: the year workbook (annual.py),
the chat's exports (/export's points ledger, a round's results) and the public board's CSV.

Marked here and translated where a table is built (`headers(...)`, `yes_no(...)`), in the language of
the current i18n context.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.utils.i18n import gettext as _

from bot.common_texts import DEPUTY, EVALUATIONS, POINTS
from bot.evaluation_texts import RATING_LABELS
from bot.project_texts import FIELD_LABELS
from bot.round_texts import MARK_LABELS
from bot.suggestion_texts import STATE_LABELS
from core.text import N_
from core.workflow import State

YES, NO = N_("是"), N_("否")

NUMBER = N_("编号")
CATEGORY = N_("类别")
STATUS = N_("状态")
TIME = N_("时间")
SUGGESTION = N_("建议")
PROJECT = N_("项目")
BUDGET = N_("预算（万元）")
SPENT = N_("已支出（万元）")
RATINGS = N_("评价数")
SATISFACTION = N_("满意度")
TIER = N_("加分档")
BELOW_60 = N_("60%以下")
ITEM = N_("事项")
POINTS_EARNED = N_("积分")
SOURCE = N_("来源")
YEAR = N_("年度")
STREET = N_("街道")

# A round's candidates: the columns every table of them starts with (a round's results, the year's
# 票决结果), where each came from, and the outcome.
CANDIDATE_COLUMNS = (
    NUMBER,
    STATE_LABELS[State.CANDIDATE],
    CATEGORY,
    SOURCE,
    *MARK_LABELS.values(),
)
ORIGIN_LABELS = {"special": N_("特定征集"), "pool": N_("群众建议")}
ELECTED = N_("当选")

# The year workbook's sheets (their names) and columns.
SUGGESTIONS_SHEET = SUGGESTION
SUGGESTION_COLUMNS = (
    NUMBER,
    N_("提交时间"),
    CATEGORY,
    STREET,
    STATUS,
    N_("居民（代号）"),
    N_("内容"),
    N_("处理经过"),
)
POINTS_SHEET = POINTS
POINTS_COLUMNS = (TIME, DEPUTY, ITEM, POINTS_EARNED, SUGGESTION)
SELECTION_SHEET = N_("票决结果")
SELECTION_COLUMNS = (N_("票决"), *CANDIDATE_COLUMNS, ELECTED)
PROJECTS_SHEET = N_("项目与预算执行")
PROJECT_COLUMNS = (
    PROJECT,
    FIELD_LABELS["name"],
    CATEGORY,
    FIELD_LABELS["department"],
    STREET,
    BUDGET,
    SPENT,
    N_("预算执行率"),
    N_("进度"),
    STATUS,
)
EVALUATION_SHEET = EVALUATIONS
EVALUATION_COLUMNS = (
    PROJECT,
    FIELD_LABELS["name"],
    FIELD_LABELS["department"],
    CATEGORY,
    N_("完成"),
    RATINGS,
    *RATING_LABELS.values(),
    SATISFACTION,
    N_("满意占比"),
    TIER,
    BELOW_60,
)
DEPARTMENTS_SHEET = N_("责任单位评分")
DEPARTMENT_COLUMNS = (
    FIELD_LABELS["department"],
    PROJECT,
    N_("全部完成"),
    SATISFACTION,
    N_("加分"),
    N_("须落实措施"),
)
NOT_COUNTED = N_("未计票")

# The chat's exports: /export's points ledger and a round's results.
POINTS_EXPORT_COLUMNS = (DEPUTY, N_("Telegram 账号 ID"), ITEM, POINTS_EARNED, SUGGESTION, TIME)
BALLOT_COLUMNS = (N_("选票"),)
RESULT_COLUMNS = (*CANDIDATE_COLUMNS, N_("结果"))
TIED = N_("并列")

# The public board's CSV files.
BOARD_PROJECT_COLUMNS = (
    PROJECT,
    YEAR,
    FIELD_LABELS["name"],
    CATEGORY,
    FIELD_LABELS["department"],
    FIELD_LABELS["place"],
    BUDGET,
    SPENT,
    N_("进度（%）"),
    STATUS,
)
BOARD_EVALUATION_COLUMNS = (
    EVALUATIONS,
    YEAR,
    PROJECT,
    FIELD_LABELS["name"],
    FIELD_LABELS["department"],
    RATINGS,
    SATISFACTION,
    TIER,
    BELOW_60,
)


def headers(columns: Iterable[str]) -> list[str]:
    return [_(column) for column in columns]


def origin_label(origin: str) -> str:
    """Where a candidate came from: the government's 特定征集 list, or residents' suggestions."""
    label = ORIGIN_LABELS["special"] if origin == "special" else ORIGIN_LABELS["pool"]
    return _(label)


def yes_no(flag: object) -> str:
    return _(YES) if flag else _(NO)

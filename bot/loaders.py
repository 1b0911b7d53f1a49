"""Context loaders for handlers: the object a pressed button names, or an alert saying it is gone;
and an admin's press on a round as each action's function receives it.

Shared by the routers that act on the same objects (a project's card is pressed in both the
residents' and the departments' flows), so that no handler module imports another.
May import aiogram and the services; may not import handlers/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.common_texts import PROJECT_NOT_FOUND
from bot.db.models import EvaluationRound, Project, SelectionRound, User
from bot.replies import answer_with
from bot.services.container import Services


async def project_or_alert(
    query: CallbackQuery, services: Services, project_id: int, *, callback_answer: CallbackAnswer
) -> Project | None:
    """The pressed card's project, or an alert when it is gone (a stale or forged press)."""
    project = await services.projects.get(project_id)
    if project is None:
        answer_with(callback_answer, _(PROJECT_NOT_FOUND), alert=True)
    return project


R = TypeVar("R", SelectionRound, EvaluationRound)


@dataclass(frozen=True)
class RoundPress(Generic[R]):
    """One admin press on a round (selection or evaluation), found and allowed in its status, as
    each action's function receives it (one function per action of core.rounds' lifecycles)."""

    query: CallbackQuery
    callback_answer: CallbackAnswer
    state: FSMContext
    user: User
    services: Services
    round: R

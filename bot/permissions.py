"""Who may reach which handler: filters on routers and loaders that refuse in one place.

- `RoleIs(*roles)` sits on a router's message and callback-query observers (`restrict`), so a
  handler added to the admin router is admin-only without a line of its own.
- `SuggestionLoader` is an inner middleware: a handler registered with the flag
  `suggestion=Need.…` gets the row its press names as `suggestion` (and the reader's `access`),
  or the presser is told no, once, here. The rule is core/permissions.py.
- `describe(router)` prints the tree with each router's filters: logged at start-up, it is the
  permission map of the README.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.dispatcher.flags import get_flag
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.common_texts import (
    LIST_SEPARATOR,
    NOT_YOUR_STREET,
    ONLY_DEPARTMENT_REPORTS,
    PROJECT_NOT_FOUND,
    STALE_BUTTON,
)
from bot.db.models import Suggestion, User
from bot.services.container import Services
from core.permissions import Access, Need, ProjectNeed, project_access
from core.roles import Role
from core.text import N_

SHARED_CHATS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP, ChatType.CHANNEL})
ROLE_NAMES = {
    Role.RESIDENT: N_("居民"),
    Role.DEPUTY: N_("人大代表"),
    Role.STAFF: N_("承办部门工作人员"),
    Role.ADMIN: N_("人大常委会工作人员"),
}


class RoleIs(Filter):
    """Passes when the sender's role (set by UserMiddleware) is one of `roles`."""

    def __init__(self, *roles: Role) -> None:
        if not roles:
            raise ValueError("RoleIs needs at least one role")
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, role: Role | None = None) -> bool:
        return self.admits(role)

    def admits(self, role: Role | None) -> bool:
        """Whether `role` passes this guard (the fallback asks before blaming a person's role)."""
        return role in self.roles

    def __str__(self) -> str:
        return "RoleIs(" + ", ".join(r.value for r in Role if r in self.roles) + ")"

    def names(self) -> str:
        """The roles in the reader's language, e.g. 「人大代表、管理员」."""
        return _(LIST_SEPARATOR).join(_(ROLE_NAMES[r]) for r in Role if r in self.roles)


def restrict(router: Router, *roles: Role) -> Router:
    """Make every message and button handler of `router` (and its sub-routers) serve `roles` only."""
    guard = RoleIs(*roles)
    router.message.filter(guard)
    router.callback_query.filter(guard)
    return router


def private_only(router: Router) -> Router:
    """Messages and presses from private chats only (DESIGN.md: residents' privacy)."""
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    # A press carries the message its button is on; one without (forged, or too old for
    # Telegram to include) is answered like a private one, never in a group.
    router.callback_query.filter(~F.message.chat.type.in_(SHARED_CHATS))
    router.private_chats_only = True  # type: ignore[attr-defined]
    return router


def guard_of(router: Router) -> RoleIs | None:
    for event_filter in router.message._handler.filters or []:
        if isinstance(event_filter.callback, RoleIs):
            return event_filter.callback
        wrapped = getattr(event_filter.callback, "__wrapped__", None)
        if isinstance(wrapped, RoleIs):
            return wrapped
    return None


def describe(router: Router, depth: int = 0) -> Iterator[str]:
    """One line per router: its name, the roles it serves, its commands and button prefixes."""
    guard = guard_of(router)
    private = getattr(router, "private_chats_only", False)
    commands, prefixes = handled_by(router)
    parts = [router.name]
    if guard is not None:
        parts.append(str(guard))
    if private:
        parts.append("private chats")
    if commands:
        parts.append(" ".join(f"/{c}" for c in sorted(commands)))
    if prefixes:
        parts.append("buttons " + " ".join(f"{p}:" for p in sorted(prefixes)))
    yield "  " * depth + " · ".join(parts)
    for child in router.sub_routers:
        yield from describe(child, depth + 1)


def handled_by(router: Router) -> tuple[set[str], set[str]]:
    """The commands and callback-data prefixes this router's own handlers take."""
    from aiogram.filters import Command
    from aiogram.filters.callback_data import CallbackQueryFilter

    commands: set[str] = set()
    prefixes: set[str] = set()
    for handler in router.message.handlers:
        for event_filter in handler.filters or []:
            target = getattr(event_filter.callback, "__wrapped__", event_filter.callback)
            target = getattr(target, "__self__", target)
            if isinstance(target, Command):
                commands.update(str(c) for c in target.commands if isinstance(c, str))
    for handler in router.callback_query.handlers:
        for event_filter in handler.filters or []:
            target = getattr(event_filter.callback, "__wrapped__", event_filter.callback)
            target = getattr(target, "__self__", target)
            if isinstance(target, CallbackQueryFilter):
                prefixes.add(target.callback_data.__prefix__)
    return commands, prefixes


def either(known: RoleIs | None, guard: RoleIs) -> RoleIs:
    """One guard for an entry served under two: a role either of them admits passes."""
    return guard if known is None or known.roles <= guard.roles else RoleIs(*(known.roles | guard.roles))


def restricted_entries(root: Router) -> tuple[dict[str, RoleIs], dict[str, RoleIs]]:
    """Commands and button prefixes served only under a RoleIs guard, with that guard.

    The fallback router uses it to say "this is for deputies and admins" instead of "not understood".
    A command served somewhere without a guard (e.g. /start) is not listed.
    """
    commands: dict[str, RoleIs] = {}
    prefixes: dict[str, RoleIs] = {}
    open_commands: set[str] = set()
    open_prefixes: set[str] = set()

    def walk(router: Router, guard: RoleIs | None) -> None:
        guard = guard_of(router) or guard
        own_commands, own_prefixes = handled_by(router)
        if guard is None:
            open_commands.update(own_commands)
            open_prefixes.update(own_prefixes)
        else:
            for command in own_commands:
                commands[command] = either(commands.get(command), guard)
            for prefix in own_prefixes:
                prefixes[prefix] = either(prefixes.get(prefix), guard)
        for child in router.sub_routers:
            walk(child, guard)

    walk(root, None)
    return (
        {c: g for c, g in commands.items() if c not in open_commands},
        {p: g for p, g in prefixes.items() if p not in open_prefixes},
    )


async def refuse(event: TelegramObject, text: str, data: dict[str, Any]) -> None:
    """Say no: a press through the one answer CallbackAnswerMiddleware gives, a message by reply."""
    answer = data.get("callback_answer")
    if isinstance(event, CallbackQuery) and answer is not None:
        answer.text = text
        answer.show_alert = True
    elif isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    elif isinstance(event, Message):
        await event.answer(text)


class SuggestionLoader(BaseMiddleware):
    """Inner middleware: loads the suggestion a press names (`callback_data.sid`) for handlers
    flagged `suggestion=Need.…`, and refuses a presser without access.

    The handler receives `suggestion` (a Suggestion) and `access` (FULL or PUBLIC).
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        need = get_flag(data, "suggestion")
        if need is None:
            return await handler(event, data)
        callback_data = data.get("callback_data")
        # Triage buttons name it `sid`; a resident's own list `id`.
        sid = getattr(callback_data, "sid", getattr(callback_data, "id", None))
        services: Services = data["services"]
        user: User | None = data.get("user")
        suggestion = await services.session.get(Suggestion, sid) if isinstance(sid, int) else None
        access = Access.NONE
        if suggestion is not None and user is not None:
            access = await access_to(
                services, user, data.get("role") or Role.RESIDENT, suggestion, Need(need)
            )
        if access is Access.NONE or (access is Access.PUBLIC and Need(need) is not Need.READ):
            # The same answer whether the row exists or not: a forged id learns nothing.
            await refuse(event, refusal(Need(need)), data)
            return None
        data["suggestion"] = suggestion
        data["access"] = access
        return await handler(event, data)


async def access_to(services: Services, user: User, role: Role, suggestion: Suggestion, need: Need) -> Access:
    return await services.triage.access(user, role, suggestion, need)


class ProjectLoader(BaseMiddleware):
    """Inner middleware: for handlers flagged `project=ProjectNeed.…`, loads the project a press
    names (`callback_data.pid`) as `project`, with `project_facts`, or refuses the presser."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        need = get_flag(data, "project")
        if need is None:
            return await handler(event, data)
        need = ProjectNeed(need)
        services: Services = data["services"]
        pid = getattr(data.get("callback_data"), "pid", None)
        project = await services.projects.get(pid) if isinstance(pid, int) else None
        user: User | None = data.get("user")
        if project is None or user is None:
            await refuse(event, _(PROJECT_NOT_FOUND), data)
            return None
        facts = await services.projects.facts(project, user, data.get("role") or Role.RESIDENT)
        if not project_access(need, facts):
            await refuse(event, _(PROJECT_REFUSALS[need]), data)
            return None
        data["project"] = project
        data["project_facts"] = facts
        return await handler(event, data)


PROJECT_REFUSALS = {
    ProjectNeed.READ: PROJECT_NOT_FOUND,
    ProjectNeed.INNER: PROJECT_NOT_FOUND,
    ProjectNeed.REPORT: ONLY_DEPARTMENT_REPORTS,
    ProjectNeed.INSPECT: N_("只有这个项目监督组的代表可以记录视察。"),
    ProjectNeed.FEEDBACK: N_("请先关注这个项目。"),
    ProjectNeed.MANAGE: N_("只有管理员可以这样做。"),
}


def loaders(router: Router) -> Router:
    """The context loaders, as inner middlewares of `router` (its sub-routers inherit them)."""
    router.callback_query.middleware(SuggestionLoader())
    router.callback_query.middleware(ProjectLoader())
    return router


def refusal(need: Need) -> str:
    if need is Need.TRIAGE:
        return _(NOT_YOUR_STREET)
    if need is Need.AUTHOR:
        return _(STALE_BUTTON)
    return _("找不到这条建议。")

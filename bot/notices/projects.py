"""Who hears of what happens to a project, queued through the outbox.

- Reports and plans: the supervision group and followers who want every update; a milestone
  also reaches weekly-digest followers at once. Changes reach every follower who is not muted.
- Inspections reach followers, the group and the department; residents' feedback the group and
  the department.
- Deadlines: the department is reminded before the plan or a report is due and again when it is
  late, when the admins are alerted too. Keys carry the deadline, so each is sent once.
- The weekly digest gathers, for each digest follower, what happened since the previous one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from aiogram.utils.i18n import gettext as _

from bot.db.models import Project, ProjectEvent, User
from bot.keyboards import projects as kb
from bot.notices.recipients import admins, project_event
from bot.project_texts import (
    DEADLINE_NOTICES,
    OVERDUE_TO_OFFICE,
    OVERDUE_WHAT,
    PLAN_REQUESTED,
    day,
    digest_text,
    event_notice,
)
from bot.services.container import Services
from core.deadlines import digest_slot, due_notices
from core.safe_html import esc


async def tell_event(
    services: Services,
    project: Project,
    event: ProjectEvent,
    author: Callable[[], str],
) -> int:
    """A project's event to the people `recipients.project_event` names; `author()` names who
    wrote it, called in each recipient's language. Returns how many letters were queued."""
    return await services.outbox.notify(
        services.session,
        f"project-event:{event.id}",
        event.kind,
        await project_event(services, project, event),
        # The author is named in each recipient's language ("Deputy 张伟", not the actor's words).
        lambda _user: (event_notice(project, event, author()), kb.view(project)),
        urgent=False,
        media_kind=event.media_kind,
        media=event.media,
    )


async def plan_requested(services: Services, project: Project) -> int:
    """A new project: its department is asked for the implementation plan."""
    tz = services.settings.tz
    return await services.outbox.notify(
        services.session,
        f"project:{project.id}:plan-requested",
        "deadline",
        await services.projects.staff(project.department),
        lambda _user: (
            _(PLAN_REQUESTED).format(name=esc(project.name), date=day(project.plan_due_at, tz)),
            kb.view(project),
        ),
        urgent=False,
    )


async def deadline_notices(services: Services, now: datetime) -> int:
    settings = services.settings
    remind = timedelta(days=settings.remind_days_before)
    office = await admins(services)
    queued = 0
    for project in await services.projects.all():
        notices = due_notices(
            now,
            project.plan_due_at,
            project.plan_filed_at is not None,
            project.next_report_due_at,
            project.status == "completed",
            remind,
        )
        for kind, deadline in notices:
            queued += await _deadline(services, project, kind, deadline, office)
    return queued


async def _deadline(
    services: Services,
    project: Project,
    kind: str,
    deadline: datetime,
    office: list[User],
) -> int:
    tz = services.settings.tz
    notifier = services.outbox
    key = f"project:{project.id}:{kind}:{deadline.astimezone(tz):%Y%m%d}"
    if await notifier.queued(services.session, key):
        return 0  # an overdue project is seen again every tick; its notices went out once
    queued = await notifier.notify(
        services.session,
        key,
        "deadline",
        await services.projects.staff(project.department),
        lambda _user: (_deadline_text(project, kind, deadline, tz), kb.view(project)),
        urgent=False,
    )
    if kind.endswith("overdue"):
        queued += await notifier.notify(
            services.session,
            key + ":admins",
            "deadline",
            office,
            lambda _user: (
                _(OVERDUE_TO_OFFICE).format(
                    name=esc(project.name),
                    department=esc(project.department),
                    what=_(OVERDUE_WHAT[kind.split("-")[0]]),
                    date=day(deadline, tz),
                ),
                kb.view(project),
            ),
            urgent=False,
        )
    return queued


def _deadline_text(project: Project, kind: str, deadline: datetime, tz) -> str:  # type: ignore[no-untyped-def]
    template = DEADLINE_NOTICES.get(kind, DEADLINE_NOTICES["report-overdue"])
    return _(template).format(name=esc(project.name), date=day(deadline, tz))


async def weekly_digest(services: Services, now: datetime) -> int:
    """Once per slot (missed slots fold into the latest): changes since the previous digest."""
    settings = services.settings
    slot = digest_slot(now, settings.digest_weekday, settings.digest_time, settings.tz)
    start = await services.projects.take_digest_slot(slot)
    if start is None:
        return 0  # sent for this slot already, or another scheduler took it
    wanted = await services.projects.digest_follows()
    if not wanted:
        return 0
    every_project = {p.id: p for p in await services.projects.all()}
    events: dict[int, list[ProjectEvent]] = {}
    for event in await services.projects.events_between(list(every_project), start, slot):
        events.setdefault(event.project_id, []).append(event)
    readers = await services.users.by_ids(list(wanted))
    readers = [user for user in readers if any(pid in events for pid in wanted[user.id])]  # type: ignore[index]

    def render(user: User) -> str:
        mine = [every_project[pid] for pid in sorted(wanted[user.id]) if pid in events]  # type: ignore[index]
        return digest_text(start, slot, mine, events, settings.tz)

    return await services.outbox.notify(
        services.session, f"digest:{slot.isoformat()}", "digest", readers, render, urgent=False
    )

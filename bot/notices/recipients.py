"""Who hears of what: the lists of people a use case tells (DESIGN.md, "Roles").

Each returns `User` rows of people who have started the bot (nobody else can be written to);
duplicates are harmless (the notifier writes to each person once per occasion).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.db.models import Project, ProjectEvent, User
from bot.services.container import Services


async def admins(services: Services) -> list[User]:
    """The office: the users of ADMIN_IDS."""
    return await services.users.admins()


async def tell_admins(services: Services, key: str, kind: str, render: Callable[[User], str]) -> None:
    """Queue one message to each admin (once per `key`), as the rounds' openings, closings and
    missed openings do."""
    await services.outbox.notify(services.session, key, kind, await admins(services), render)


async def street_deputies(services: Services, street_id: int | None, skip: int | None = None) -> list[User]:
    """A street's active deputies, without `skip` (the user id of the one who acted)."""
    deputies = await services.triage.street_deputies(street_id)
    return [deputy for deputy in deputies if deputy.id != skip]


async def project_event(services: Services, project: Project, event: ProjectEvent) -> list[User]:
    """Who hears of a project's event, without its author:

    - a plan, report or completion: the supervision group and followers of every update (a
      milestone or the completion also reaches weekly-digest followers at once);
    - a change: the group, the department and every follower;
    - an inspection: followers of every update, the group and the department;
    - residents' feedback: the group and the department.
    """
    projects = services.projects
    group = await projects.supervisors(project)
    staff = await projects.staff(project.department)
    if event.kind in ("plan", "report", "done"):
        modes = ("every", "digest") if event.milestone or event.kind == "done" else ("every",)
        recipients = group + await projects.followers(project, modes)
    elif event.kind == "change":
        recipients = group + staff + await projects.followers(project, ("every", "digest"))
    elif event.kind == "inspection":
        recipients = await projects.followers(project, ("every",)) + group + staff
    else:  # feedback
        recipients = group + staff
    return [user for user in recipients if user.id != event.actor_id]

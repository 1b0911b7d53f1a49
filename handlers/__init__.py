"""aiogram routers, one per flow; each module's setup() builds a fresh Router.

What lives here: the conversations — what a person is asked and answered, step by step.
What may not (tests/test_layering.py): queries or row changes (call bot/services, commit through
`services.commit()`), telling other people (call bot/notices), and importing another handler
module (shared pieces live in bot/replies.py, bot/loaders.py, bot/notices/).

The tree is the permission map (README "Who may see and do what"): `groups` takes every update
from a group or channel; everything else hangs under `private`, which serves private chats only;
routers that serve some roles carry a RoleIs filter (bot/permissions.py), and the context loaders
(inner middlewares on `private`) load and check the suggestion or project a press names.
"""

import logging

from aiogram import Router

from bot.permissions import describe, loaders, private_only
from bot.runtime.routing import inline_sync_filters
from handlers import (
    admin,
    announce,
    common,
    deputy,
    errors,
    evaluations,
    fallback,
    groups,
    my_suggestions,
    project_reports,
    projects,
    questions,
    resident,
    rounds,
    triage,
)

log = logging.getLogger(__name__)


def setup_routers() -> Router:
    root = Router(name="root")
    private = loaders(private_only(Router(name="private")))
    refusals = fallback.Refusals()
    # The office router first: its /start with an invitation payload must win over the plain
    # /start. The fallback router goes last: it answers whatever no flow took.
    private.include_routers(
        admin.setup(),
        common.setup(),
        deputy.setup(),
        triage.setup(),
        rounds.setup(),
        projects.setup(),
        project_reports.setup(),
        announce.setup(),
        evaluations.setup(),
        questions.setup(),
        my_suggestions.setup(),
        resident.setup(),
        fallback.setup(refusals),
    )
    root.include_routers(errors.setup(), groups.setup(), private)
    refusals.learn(root)
    inline_sync_filters(root)
    return root


def permission_map(root: Router) -> str:
    return "\n".join(describe(root))


def log_permission_map(root: Router) -> None:
    log.info("routers (the permission map):\n%s", permission_map(root))

"""aiogram routers, one per flow; each module's setup() builds a fresh Router.

What lives here: the conversations — what a person is asked and answered, step by step.
What may not (tests/test_layering.py): queries or row changes (call bot/services, commit through
`services.commit()`), telling other people (call bot/notices), and importing another handler
module (shared pieces live in bot/replies.py, bot/loaders.py, bot/notices/).
"""

from aiogram import Router

from bot.routing import inline_sync_filters
from handlers import (
    admin,
    announce,
    common,
    deputy,
    errors,
    evaluations,
    fallback,
    my_suggestions,
    project_reports,
    projects,
    questions,
    resident,
    rounds,
    triage,
)


def setup_routers() -> Router:
    root = Router(name="root")
    # Admin first: its /start with an invitation payload must win over the plain /start.
    # The fallback router goes last: it answers whatever no flow took.
    root.include_routers(
        errors.setup(),
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
        fallback.setup(),
    )
    inline_sync_filters(root)
    return root

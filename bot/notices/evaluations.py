"""Evaluation rounds' use cases that tell people: opening (and who cannot be reached), a missed
opening, reminders, closing, publishing. Called by handlers and by the scheduler alike."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html

from bot.db.models import EvaluationRound, User
from bot.evaluation_texts import (
    ENDED_TO_OFFICE,
    MISSED_START,
    RATING_REMINDER,
    STARTED,
    UNREACHABLE_RATERS,
    follower_result,
    project_card,
    results_text,
    title,
)
from bot.exports.charts import satisfaction_chart
from bot.keyboards import evaluations as kb
from bot.notices.recipients import admins, tell_admins
from bot.round_texts import when
from bot.services.container import Services


# -- opening, reminding, closing, publishing (also run by the scheduler) --------------------------
async def open_evaluation(services: Services, round_: EvaluationRound) -> None:
    if not await services.evaluations.open(round_):
        return
    await invite(services, round_, await services.evaluations.deputies(round_), "open")
    unreachable = [d for d, u in await services.evaluations.electors(round_) if u is None or u.is_blocked]
    if unreachable:
        names = "、".join(html.quote(d.name) for d in unreachable)
        await tell_admins(
            services,
            f"evaluation:{round_.id}:unreachable",
            "evaluation",
            lambda _user: _(UNREACHABLE_RATERS).format(
                title=title(round_), count=len(unreachable), names=names
            ),
        )
    await services.session.commit()


async def missed_evaluation(services: Services, round_: EvaluationRound) -> None:
    """The opening time passed while the bot was down: not opened late; admins set new times."""
    opens = when(round_.opens_at, services.settings.tz)
    if not await services.evaluations.miss(round_):
        return
    await tell_admins(
        services,
        f"evaluation:{round_.id}:missed:{opens}",
        "evaluation",
        lambda _user: _(MISSED_START).format(title=title(round_), opens=opens),
    )
    await services.session.commit()


async def invite(services: Services, round_: EvaluationRound, people: list[User], key: str) -> None:
    """Each deputy gets the first project's card (the reminder repeats it for those still due)."""
    projects = await services.evaluations.projects(round_)
    if not projects:
        return
    first = projects[0]
    last = await services.projects.latest_report(first)
    tz = services.settings.tz

    def render(_user: User) -> tuple[str, object]:
        head = (
            _(STARTED).format(title=title(round_), closes=when(round_.closes_at, tz))
            if key == "open"
            else _(RATING_REMINDER).format(title=title(round_), closes=when(round_.closes_at, tz))
        )
        card = project_card(round_, first, 0, len(projects), 0, last, None, tz)
        return f"{head}\n\n{card}", kb.rating_card(
            round_, 0, len(projects), None, bool(last and last.media_kind == "photo")
        )

    await services.outbox.notify(
        services.session, f"evaluation:{round_.id}:{key}", "evaluation", people, render
    )  # type: ignore[arg-type]


async def close_evaluation(services: Services, round_: EvaluationRound, *, by_clock: bool = False) -> None:
    if not await services.evaluations.close(round_, by_clock=by_clock):
        return
    await tell_admins(
        services,
        f"evaluation:{round_.id}:closed",
        "evaluation",
        lambda _user: _(ENDED_TO_OFFICE).format(title=title(round_)),
    )
    await services.session.commit()


async def publish_evaluation(services: Services, round_: EvaluationRound) -> None:
    """Results with a chart to admins and deputies; each project's followers get its result."""
    if not await services.evaluations.publish(round_):
        return
    result = services.evaluations.result_of(round_)
    if result is None:  # published from closed: always counted
        raise ValueError(f"evaluation round {round_.id} has no result")
    rates = {
        f"#{item.id}": None if item.satisfaction is None else float(item.satisfaction)
        for item in result.projects
    }
    tiers = {
        f"#{item.id}": "bonus" if item.tier is not None else "penalty" if item.penalty else "pass"
        for item in result.projects
    }
    chart = satisfaction_chart(f"{round_.year}", rates, tiers)
    people = await admins(services) + await services.evaluations.deputies(round_)
    notifier = services.outbox
    await notifier.notify(
        services.session,
        f"evaluation:{round_.id}:results",
        "evaluation",
        people,
        lambda _user: results_text(round_, result),
        media_kind="photo",
        blob=chart,
        blob_name=f"evaluation-{round_.year}.png",
    )
    for item in result.projects:
        project = await services.projects.get(int(item.id))
        if project is None:
            continue
        followers = await services.projects.followers(project, ("every", "digest"))
        await notifier.notify(
            services.session,
            f"evaluation:{round_.id}:project:{project.id}",
            "evaluation",
            followers,
            lambda _user, item=item: follower_result(round_, item),
            urgent=False,
        )
    await services.session.commit()

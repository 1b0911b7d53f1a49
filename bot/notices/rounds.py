"""Selection rounds' use cases that tell people: opening (one ballot per reachable elector, the
admins told who needs paper), a missed opening, closing, publishing. Called by handlers and by
the scheduler alike (DESIGN.md "Projects and rounds")."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html

from bot.db.models import Deputy, SelectionRound, User
from bot.exports.charts import approvals_chart
from bot.keyboards import rounds as kb
from bot.notices.projects import plan_requested
from bot.notices.recipients import tell_admins
from bot.round_texts import (
    BALLOT_SENT,
    CLOSED_TO_OFFICE,
    MISSED_OPENING,
    OPENED_TO_OFFICE,
    UNREACHABLE_ELECTORS,
    ballot_text,
    results_text,
    when,
)
from bot.services.container import Services
from core.limits import shorten

# The unreachable deputies' names on the office's messages: many more are counted, not named all.
NAMES_BUDGET = 1000


def unreachable_text(deputies: list[Deputy]) -> str:
    """The deputies a chat ballot cannot reach, for the admin (empty when everyone can be)."""
    if not deputies:
        return ""
    names = shorten("、".join(d.name for d in deputies), NAMES_BUDGET)  # the roster: /rounds' paper ballots
    return "\n\n" + _(UNREACHABLE_ELECTORS).format(count=len(deputies), names=html.quote(names))


# -- opening, closing, publishing (also run by the scheduler) ----------------------------------------
async def send_ballots(
    services: Services,
    round_: SelectionRound,
    candidates: list,  # type: ignore[type-arg]
    voters: list[User],
    key: str,
) -> int:
    def render(_user: User) -> tuple[str, object]:
        text = _(BALLOT_SENT).format(title=round_.title)
        return f"{text}\n\n{ballot_text(round_, candidates, {}, services.settings.tz)}", kb.ballot(
            round_, candidates, {}
        )

    return await services.outbox.notify(services.session, key, "ballot", voters, render)  # type: ignore[arg-type]


async def open_round(services: Services, round_: SelectionRound) -> None:
    """Opens the round, freezing its electorate; one ballot to each elector reachable in chat,
    and the admins told who must vote on paper."""
    if not await services.rounds.open(round_):
        return  # another scheduler opened it
    candidates = await services.rounds.candidates(round_)
    electors = await services.rounds.electors(round_)
    voters = [user for _deputy, user in electors if user is not None and not user.is_blocked]
    await send_ballots(services, round_, candidates, voters, f"round:{round_.id}:ballot")
    unreachable = services.rounds.unreachable(electors)
    await tell_admins(
        services,
        f"round:{round_.id}:opened",
        "round",
        lambda _user: (
            _(OPENED_TO_OFFICE).format(title=round_.title, electorate=round_.electorate)
            + unreachable_text(unreachable)
        ),
    )
    await services.session.commit()


async def missed_round(services: Services, round_: SelectionRound) -> None:
    """The opening time passed while the bot was down: the round is not opened late; it goes back
    to draft and the admins are asked to set new times."""
    opens = when(round_.opens_at, services.settings.tz)
    if not await services.rounds.miss(round_):
        return
    await tell_admins(
        services,
        f"round:{round_.id}:missed:{opens}",
        "round",
        lambda _user: _(MISSED_OPENING).format(title=round_.title, opens=opens),
    )
    await services.session.commit()


async def close_round(services: Services, round_: SelectionRound, *, by_clock: bool = False) -> None:
    if await services.rounds.close(round_, by_clock=by_clock) is None:
        return  # already closed, or not due
    await tell_admins(
        services,
        f"round:{round_.id}:closed",
        "round",
        lambda _user: _(CLOSED_TO_OFFICE).format(title=round_.title),
    )
    await services.session.commit()


async def publish_round(services: Services, round_: SelectionRound, admin: User) -> None:
    """Results to every deputy (with the chart), suggestions moved, their followers told."""
    moved = await services.rounds.publish(round_, admin)
    candidates = await services.rounds.candidates(round_)
    result = services.rounds.result_of(round_)
    if result is None:  # published from closed: always counted
        raise ValueError(f"round {round_.id} has no result")
    deputies = [user for _deputy, user in await services.rounds.electors(round_) if user is not None]
    chart = approvals_chart(
        f"#{round_.id}",
        {code: marks.yes for code, marks in result.counts.items()},
        set(result.elected),
        set(result.tied),
    )
    notifier = services.outbox
    await notifier.notify(
        services.session,
        f"round:{round_.id}:results",
        "round",
        deputies,
        lambda _user: results_text(round_, candidates, result),
        media_kind="photo",
        blob=chart,
        blob_name=f"round-{round_.id}.png",
    )
    for suggestion in moved:
        event = await services.suggestions.last_event(suggestion)
        followers = await services.suggestions.followers(suggestion)
        await notifier.suggestion_changed(services.session, suggestion, event, followers)  # type: ignore[arg-type]
    # The elected items become projects under supervision; their departments are asked for plans.
    for project in await services.projects.from_round(round_, set(result.elected), admin):
        await plan_requested(services, project)
    await services.session.commit()

"""Text and names from people reach the cards, the database and the deputies cleaned (issue 13:
"names and texts from people are cleaned once where they enter")."""

from __future__ import annotations

from bot.db.models import Suggestion, User
from bot.sandbox.session import Sandbox
from tests.conftest import seed_areas_and_roster
from tests.e2e.steps import rows, submit_suggestion

UNSAFE = ("\x0b", "\x00", "\x1b", "\u202e", "\u2066", "\x85")


async def test_a_suggestion_and_a_name_with_controls_arrive_clean(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    await sandbox.say(2001, "/start")
    sandbox.person(1001, "王\u202e芳\x1b")
    stored = await submit_suggestion(
        sandbox, 1001, "小区门口的路灯\x0b坏了好几个月\u202e，晚上\x00老人出门\x85很不安全"
    )
    assert stored.text == "小区门口的路灯坏了好几个月，晚上老人出门很不安全"
    [user] = await rows(sandbox, User, User.telegram_id == 1001)
    assert all(char not in user.full_name for char in UNSAFE)
    # The deputies of the street got the card without any of them.
    cards = [shown for shown in sandbox.shown if shown.to == 2001]
    assert cards and all(char not in shown.text for shown in cards for char in UNSAFE)
    [suggestion] = await rows(sandbox, Suggestion, Suggestion.id == stored.id)
    assert suggestion.text == stored.text

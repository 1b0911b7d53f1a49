"""aiogram routers, one per flow; each module's setup() builds a fresh Router."""

from aiogram import Router

from handlers import common, errors, fallback, my_suggestions, resident


def setup_routers() -> Router:
    root = Router(name="root")
    # The fallback router goes last: it answers whatever no flow took.
    root.include_routers(
        errors.setup(), common.setup(), my_suggestions.setup(), resident.setup(), fallback.setup()
    )
    return root

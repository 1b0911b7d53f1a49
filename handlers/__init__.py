"""aiogram routers, one per flow; each module's setup() builds a fresh Router."""

from aiogram import Router

from handlers import common, errors, fallback


def setup_routers() -> Router:
    root = Router(name="root")
    # The fallback router goes last: it answers whatever no flow took.
    root.include_routers(errors.setup(), common.setup(), fallback.setup())
    return root

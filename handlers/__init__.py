"""aiogram routers, one per flow."""

from aiogram import Router

from handlers import common, errors, fallback


def setup_routers() -> Router:
    root = Router(name="root")
    # The fallback router goes last: it answers whatever no flow took.
    root.include_routers(errors.router, common.router, fallback.router)
    return root

"""Who a person is to the bot."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    DEPUTY = "deputy"
    STAFF = "staff"
    ADMIN = "admin"


def resolve_role(
    telegram_id: int,
    *,
    admin_ids: frozenset[int],
    is_active_deputy: bool,
    is_active_staff: bool,
) -> Role:
    """Admins come from configuration, deputies from the roster, staff from invitations.

    The configured admin list wins, so an office can always reach the admin menu; a deputy who
    was deactivated falls back to what else they are (staff, or a resident like everyone).
    """
    if telegram_id in admin_ids:
        return Role.ADMIN
    if is_active_deputy:
        return Role.DEPUTY
    if is_active_staff:
        return Role.STAFF
    return Role.RESIDENT

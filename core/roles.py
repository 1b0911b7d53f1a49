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


class LinkFit(StrEnum):
    """What an invitation link does for the person who opens it."""

    REDEEM = "redeem"  # the link gives them its role
    OFFICE = "office"  # an admin: configuration decides, no link changes them
    SAME_ROLE = "same_role"  # already holds the link's role: a move is the office's act (roster)
    OTHER_ROLE = "other_role"  # holds a role the link's would conflict with (or be outranked by)


def invitation_fit(current: Role, link: Role) -> LinkFit:
    """Whether a person whose resolved role is `current` may use a `link` invitation (deputy or staff).

    Only a resident becomes someone by a link. Anyone else's resolved role would not change
    (`resolve_role` ranks admin over deputy over staff) or would be silently replaced, so the link
    stays open for the person it was meant for. A deactivated deputy or staff member resolves to
    what else they are; their own kind of link then refuses them separately (InviteService)."""
    if link not in (Role.DEPUTY, Role.STAFF):
        raise ValueError(f"no invitation makes a {link.value}")
    if current is Role.RESIDENT:
        return LinkFit.REDEEM
    if current is Role.ADMIN:
        return LinkFit.OFFICE
    return LinkFit.SAME_ROLE if current is link else LinkFit.OTHER_ROLE

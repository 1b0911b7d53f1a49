"""One-time invitation links that make their user a deputy of a street or staff of a department."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Deputy, Invite, StaffMember, User
from bot.runtime.clock import Clock
from core.roles import LinkFit, Role, invitation_fit


class InviteRefused(Exception):
    """Unknown, used, revoked, expired, inactive, or not for the opener: `code` says which.

    "inactive": the link's user is a deputy or staff member the office deactivated; only an admin
    reactivates (RosterService.set_active), a spare link does not (issue 13, fault 11).
    "office", "same_role", "other_role" (core.roles.LinkFit): the opener already holds a role the
    link would not change or would conflict with; the link stays open for its intended person."""

    def __init__(self, code: str, link: Role | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.link = link  # the role the link gives, for "other_role"


def _still_open(now: datetime) -> tuple:  # type: ignore[type-arg]
    """The conditions of a redeemable invitation: unused, not revoked, not expired."""
    return (col(Invite.used_by).is_(None), col(Invite.revoked_at).is_(None), col(Invite.expires_at) > now)


class InviteService:
    def __init__(self, session: AsyncSession, clock: Clock, days: int) -> None:
        self.session = session
        self.clock = clock
        self.days = days

    async def create(
        self, admin: User, role: Role, *, street_id: int | None = None, department: str | None = None
    ) -> Invite:
        now = self.clock.now()
        invite = Invite(
            token=secrets.token_urlsafe(16),
            role=role.value,
            street_id=street_id,
            department=department,
            created_by=admin.id,
            created_at=now,  # type: ignore[arg-type]
            expires_at=now + timedelta(days=self.days),
        )
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def redeem(self, token: str, user: User, current: Role) -> Invite:
        """Give `user` (whose resolved role is `current`) the link's role, using the link up."""
        invite = (await self.session.exec(select(Invite).where(Invite.token == token))).first()
        if invite is None:
            raise InviteRefused("unknown")
        if invite.used_by is not None:
            raise InviteRefused("used")
        if invite.revoked_at is not None:
            raise InviteRefused("revoked")
        if invite.expires_at <= self.clock.now():
            raise InviteRefused("expired")
        fit = invitation_fit(current, Role(invite.role))
        if fit is not LinkFit.REDEEM:
            raise InviteRefused(fit.value, Role(invite.role))
        now = self.clock.now()
        if invite.role == Role.DEPUTY.value:
            deputy = (
                await self.session.exec(select(Deputy).where(Deputy.telegram_id == user.telegram_id))
            ).first()
            if deputy is not None and not deputy.is_active:
                raise InviteRefused("inactive")
            if deputy is None:
                deputy = Deputy(
                    name=user.full_name[:64] or user.pseudonym,
                    telegram_id=user.telegram_id,
                    street_id=invite.street_id,
                    created_at=now,
                )  # type: ignore[arg-type]
            deputy.street_id = invite.street_id  # type: ignore[assignment]
            self.session.add(deputy)
        else:
            staff = (
                await self.session.exec(
                    select(StaffMember).where(StaffMember.telegram_id == user.telegram_id)
                )
            ).first()
            if staff is not None and not staff.is_active:
                raise InviteRefused("inactive")
            if staff is None:
                staff = StaffMember(
                    name=user.full_name[:64] or user.pseudonym,
                    telegram_id=user.telegram_id,
                    department=invite.department or "",
                    created_at=now,
                )
            staff.department = invite.department or staff.department
            self.session.add(staff)
        # Compare-and-set: of two people opening the same link at once, one gets it; a link revoked
        # meanwhile is nobody's.
        claimed = await self.session.exec(
            update(Invite)
            .where(col(Invite.id) == invite.id, *_still_open(now))
            .values(used_by=user.id, used_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            await self.session.refresh(invite)
            raise InviteRefused("revoked" if invite.revoked_at is not None else "used")
        user.role = invite.role
        self.session.add(user)
        await self.session.flush()
        return invite

    async def open(self) -> list[Invite]:
        """Invitations still redeemable (unused, not revoked, not expired), oldest first."""
        rows = await self.session.exec(
            select(Invite).where(*_still_open(self.clock.now())).order_by(col(Invite.id))
        )
        return list(rows.all())

    async def revoke(self, invite_id: int) -> bool:
        """End an open invitation now (its link then says it was revoked); False when it was
        already used, expired or revoked, or never existed. A compare-and-set, so a link being
        redeemed at the same moment is either redeemed or revoked, not both."""
        now = self.clock.now()
        ended = await self.session.exec(
            update(Invite).where(col(Invite.id) == invite_id, *_still_open(now)).values(revoked_at=now)
        )
        await self.session.flush()
        return ended.rowcount == 1  # type: ignore[attr-defined]

    async def deputies(self) -> list[Deputy]:
        return list(
            (await self.session.exec(select(Deputy).order_by(col(Deputy.street_id), col(Deputy.id)))).all()
        )

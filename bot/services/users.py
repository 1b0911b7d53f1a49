"""People who talk to the bot: registration, role, language, blocked flag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Deputy, ProjectFollow, StaffMember, User
from bot.db.upsert import insert_ignoring_conflicts
from bot.runtime.clock import Clock
from core.pseudonym import pseudonym_code
from core.roles import Role, resolve_role

SEEN_PRECISION = timedelta(minutes=1)

# One query for the person and their offices, built once: it runs for every update, and building
# a statement costs about as much CPU as running it.
_PERSON_AND_OFFICES = (
    select(User, Deputy.id, StaffMember.id)
    .outerjoin(Deputy, (Deputy.telegram_id == User.telegram_id) & Deputy.is_active)  # type: ignore[arg-type]
    .outerjoin(StaffMember, (StaffMember.telegram_id == User.telegram_id) & StaffMember.is_active)  # type: ignore[arg-type]
    .where(User.telegram_id == bindparam("telegram_id"))
    .limit(1)
)


@dataclass(frozen=True)
class TelegramPerson:
    """What an update tells about its sender."""

    telegram_id: int
    full_name: str
    language_code: str | None


class UserService:
    def __init__(
        self, session: AsyncSession, clock: Clock, *, admin_ids: frozenset[int], pseudonym_secret: bytes
    ) -> None:
        self.session = session
        self.clock = clock
        self.admin_ids = admin_ids
        self.pseudonym_secret = pseudonym_secret

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def by_ids(self, user_ids: list[int]) -> list[User]:
        return list((await self.session.exec(select(User).where(col(User.id).in_(user_ids)))).all())

    async def admins(self) -> list[User]:
        """The users of ADMIN_IDS who have started the bot."""
        users = [await self.by_telegram_id(admin_id) for admin_id in self.admin_ids]
        return [user for user in users if user is not None]

    async def audience(self, kind: str, target: int | None = None) -> list[User]:
        """An announcement's readers, by user id (README, "Projects under supervision": /announce):

        - "deputies": the users of every active deputy;
        - "street": residents whose home street is `target` (a street id);
        - "followers": everyone following project `target`, weekly or every update.
        ValueError for another kind."""
        if kind == "deputies":
            query = (
                select(User).join(Deputy, col(Deputy.telegram_id) == User.telegram_id).where(Deputy.is_active)
            )
        elif kind == "street":
            query = select(User).where(User.home_street_id == target, User.role == Role.RESIDENT.value)
        elif kind == "followers":
            query = (
                select(User)
                .join(ProjectFollow, col(ProjectFollow.user_id) == User.id)
                .where(ProjectFollow.project_id == target, col(ProjectFollow.mode).in_(("every", "digest")))
            )
        else:
            raise ValueError(f"no audience {kind!r}")
        return list((await self.session.exec(query.order_by(col(User.id)))).all())

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        result = await self.session.exec(select(User).where(User.telegram_id == telegram_id))
        return result.first()

    async def active_deputy(self, telegram_id: int) -> Deputy | None:
        result = await self.session.exec(
            select(Deputy).where(Deputy.telegram_id == telegram_id, Deputy.is_active)
        )
        return result.first()

    async def active_staff(self, telegram_id: int) -> StaffMember | None:
        result = await self.session.exec(
            select(StaffMember).where(StaffMember.telegram_id == telegram_id, StaffMember.is_active)
        )
        return result.first()

    async def touch(self, person: TelegramPerson) -> tuple[User, bool]:
        """Load or register the sender and bring their role up to date.

        Returns the user and whether they are new. Writing to the bot means they have not
        blocked it (any more).
        """
        row = (
            await self.session.exec(_PERSON_AND_OFFICES, params={"telegram_id": person.telegram_id})
        ).first()
        now = self.clock.now()
        created = row is None
        if row is None:
            user = await self._register(person, now)
            deputy_id = (await self.active_deputy(person.telegram_id)) is not None
            staff_id = (await self.active_staff(person.telegram_id)) is not None
        else:
            user, deputy_id, staff_id = row
        fresh = {
            "role": resolve_role(
                person.telegram_id,
                admin_ids=self.admin_ids,
                is_active_deputy=bool(deputy_id),
                is_active_staff=bool(staff_id),
            ).value,
            "full_name": person.full_name[:256],
            "telegram_language": (person.language_code or None) and person.language_code[:16],
            "is_blocked": False,
        }
        # Written only when something changed, or "last seen" is a minute old: most updates
        # then need no write at all.
        changed = {key: value for key, value in fresh.items() if getattr(user, key) != value}
        if changed or now - user.last_seen_at > SEEN_PRECISION:
            for key, value in changed.items():
                setattr(user, key, value)
            user.last_seen_at = now
            self.session.add(user)
        return user, created

    async def _register(self, person: TelegramPerson, now: datetime) -> User:
        """Insert-if-absent: the same person's first messages may arrive at the same moment."""
        for attempt in range(8):
            code = pseudonym_code(self.pseudonym_secret, person.telegram_id, attempt)
            values = {
                "telegram_id": person.telegram_id,
                "full_name": person.full_name[:256],
                "pseudonym": code,
                "role": Role.RESIDENT.value,
                "is_blocked": False,
                "created_at": now,
                "last_seen_at": now,
            }
            await self.session.exec(insert_ignoring_conflicts(self.session, User, values))
            user = await self.by_telegram_id(person.telegram_id)
            if user is not None:
                return user
            # Nobody has this Telegram id, so the pseudonym was taken: try a longer one.
        raise RuntimeError("no free pseudonym after 8 attempts")

    async def residents_of_street(self, street_id: int) -> list[User]:
        """Residents (not deputies, staff or admins) whose home street this is."""
        rows = await self.session.exec(
            select(User)
            .where(User.home_street_id == street_id, User.role == Role.RESIDENT.value)
            .order_by(col(User.id))
        )
        return list(rows.all())

    async def set_locale(self, user: User, locale: str) -> None:
        user.locale = locale
        self.session.add(user)


async def mark_blocked(session: AsyncSession, telegram_id: int) -> None:
    """Telegram answered 403 for this chat: stop writing to them until they write again."""
    await session.exec(update(User).where(User.telegram_id == telegram_id).values(is_blocked=True))

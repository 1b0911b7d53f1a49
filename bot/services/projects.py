"""Elected projects: their reports, changes, supervision groups and followers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    CandidateItem,
    Deputy,
    DigestRun,
    Follow,
    Project,
    ProjectEvent,
    ProjectFollow,
    ProjectSupervisor,
    RoundCandidate,
    SelectionRound,
    StaffMember,
    Suggestion,
    User,
    column_limit,
    limited,
)
from bot.db.upsert import insert_ignoring_conflicts
from bot.runtime.clock import Clock
from core.deadlines import next_report_due
from core.money import parse_yuan
from core.permissions import ProjectFacts, visible_project_events
from core.progress import check_percent, status_for
from core.roles import Role

FOLLOW_MODES = ("every", "digest", "mute")
# What an admin may change, each change an event with a reason.
CHANGEABLE = ("name", "scope", "budget", "place", "department")
CHANGE_TEXT_LIMIT = 500  # characters of a changed value without a column limit of its own (scope)


def change_limit(field: str) -> int:
    """How many characters a changed `field` may hold: its column's length (name, place,
    department), else CHANGE_TEXT_LIMIT."""
    return column_limit(Project, field) if limited(Project, field) else CHANGE_TEXT_LIMIT


class StaleProject(Exception):
    """The project changed since the person looked at it."""


@dataclass(frozen=True)
class Report:
    percent: int | None = None  # 0-100; ValueError otherwise (core.progress.check_percent)
    spent: int | None = None  # 元, to date
    milestone: str | None = None
    text: str | None = None
    media_kind: str | None = None
    media: str | None = None

    def __post_init__(self) -> None:
        if self.percent is not None:
            check_percent(self.percent)


class ProjectService:
    def __init__(self, session: AsyncSession, clock: Clock, plan_days: int, report_every_days: int) -> None:
        self.session = session
        self.clock = clock
        self.plan_days = plan_days
        self.report_every = timedelta(days=report_every_days)

    # -- making projects ---------------------------------------------------------------------
    async def create(
        self,
        *,
        year: int,
        name: str,
        category: str,
        department: str,
        budget: int,
        elected_at: datetime,
        scope: str | None = None,
        street_id: int | None = None,
        place: str | None = None,
        round_id: int | None = None,
        item_id: int | None = None,
        actor: User | None = None,
    ) -> Project:
        now = self.clock.now()
        project = Project(
            year=year,
            name=name,
            category=category,
            scope=scope,
            street_id=street_id,
            place=place,
            department=department,
            budget=budget,
            spent=0,
            elected_at=elected_at,
            plan_due_at=elected_at + timedelta(days=self.plan_days),
            round_id=round_id,
            item_id=item_id,
            created_at=now,
            updated_at=now,
        )
        self.session.add(project)
        await self.session.flush()
        await self._event(project, "created", actor, Role.ADMIN, now)
        return project

    async def put_imported(
        self, year: int, elected_at: datetime, values: dict[str, Any]
    ) -> tuple[Project, str]:
        """A project from an import file, keyed by (year, name): ("added" | "updated" |
        "unchanged"). A changed field of a project already there is recorded in its history."""
        found = (
            await self.session.exec(
                select(Project).where(Project.year == year, Project.name == values["name"])
            )
        ).first()
        if found is None:
            return await self.create(year=year, elected_at=elected_at, **values), "added"
        changed = {key: value for key, value in values.items() if getattr(found, key) != value}
        if not changed:
            return found, "unchanged"
        old = {key: getattr(found, key) for key in changed}
        await self._bump(found, found.version, **changed)
        for key, value in changed.items():
            await self._event(
                found,
                "change",
                None,
                Role.ADMIN,
                self.clock.now(),
                field=key,
                old_value=None if old[key] is None else str(old[key]),
                new_value=None if value is None else str(value),
            )
        return found, "updated"

    async def from_round(self, round_: SelectionRound, elected_codes: set[str], admin: User) -> list[Project]:
        """The round's elected items become projects; residents behind them follow them."""
        made = []
        rows = await self.session.exec(
            select(RoundCandidate, CandidateItem)
            .join(CandidateItem, col(CandidateItem.id) == RoundCandidate.item_id)
            .where(RoundCandidate.round_id == round_.id)
        )
        for candidate, item in rows.all():
            if candidate.code not in elected_codes:
                continue
            existing = (await self.session.exec(select(Project).where(Project.item_id == item.id))).first()
            if existing is not None:
                continue
            suggestion = (
                await self.session.get(Suggestion, item.suggestion_id) if item.suggestion_id else None
            )
            project = await self.create(
                year=round_.year,
                name=item.title,
                category=item.category,
                department=item.department or "",
                budget=parse_yuan(item.estimated_cost or "") or 0,
                elected_at=self.clock.now(),
                street_id=suggestion.street_id if suggestion else None,
                round_id=round_.id,
                item_id=item.id,
                actor=admin,
            )
            if suggestion is not None:
                for user_id in await self._suggestion_people(suggestion):
                    await self.follow(project, user_id, "suggestion")
            made.append(project)
        return made

    async def _suggestion_people(self, suggestion: Suggestion) -> list[int]:
        """The author and everyone who followed the suggestion or one merged into it."""
        people = {suggestion.resident_id}
        merged = await self.session.exec(select(Suggestion).where(Suggestion.merged_into_id == suggestion.id))
        ids = [suggestion.id, *(s.id for s in merged.all())]
        for s_id in ids:
            follows = await self.session.exec(select(Follow.user_id).where(Follow.suggestion_id == s_id))
            people.update(follows.all())
            author = await self.session.get(Suggestion, s_id)
            if author:
                people.add(author.resident_id)
        return sorted(people)

    # -- reading -----------------------------------------------------------------------------
    async def get(self, project_id: int) -> Project | None:
        return await self.session.get(Project, project_id)

    async def category_counts(self) -> dict[str, int]:
        rows = await self.session.exec(select(Project.category, func.count()).group_by(Project.category))
        return dict(rows.all())  # type: ignore[arg-type]

    async def in_category(self, category: str) -> list[Project]:
        rows = await self.session.exec(
            select(Project)
            .where(Project.category == category)
            .order_by(col(Project.year).desc(), col(Project.id))
        )
        return list(rows.all())

    async def of_department(self, department: str) -> list[Project]:
        rows = await self.session.exec(
            select(Project).where(Project.department == department).order_by(col(Project.id))
        )
        return list(rows.all())

    async def of_year(self, year: int) -> list[Project]:
        return list(
            (
                await self.session.exec(select(Project).where(Project.year == year).order_by(col(Project.id)))
            ).all()
        )

    async def mark_done(self, project: Project, actor: User, seen_version: int) -> ProjectEvent:
        """The department declares a project at 100% done (it then counts as complete)."""
        if project.percent < 100 or project.done_at is not None:
            raise StaleProject
        now = self.clock.now()
        await self._bump(project, seen_version, done_at=now, status="completed")
        return await self._event(project, "done", actor, Role.STAFF, now)

    async def all(self) -> list[Project]:
        return list((await self.session.exec(select(Project).order_by(col(Project.id)))).all())

    async def history(self, project: Project, limit: int = 50) -> list[ProjectEvent]:
        rows = await self.session.exec(
            select(ProjectEvent)
            .where(ProjectEvent.project_id == project.id)
            .order_by(col(ProjectEvent.id).desc())
            .limit(limit)
        )
        return list(rows.all())

    async def latest_report(self, project: Project) -> ProjectEvent | None:
        """The department's latest plan or report (what deputies see when they rate it)."""
        rows = await self.session.exec(
            select(ProjectEvent)
            .where(ProjectEvent.project_id == project.id, col(ProjectEvent.kind).in_(("report", "plan")))
            .order_by(col(ProjectEvent.id).desc())
            .limit(1)
        )
        return rows.first()

    async def events_between(
        self, project_ids: list[int], start: datetime, end: datetime
    ) -> list[ProjectEvent]:
        if not project_ids:
            return []
        rows = await self.session.exec(
            select(ProjectEvent)
            .where(
                col(ProjectEvent.project_id).in_(project_ids),
                col(ProjectEvent.kind).in_(("plan", "report", "change", "inspection", "done")),
                ProjectEvent.at >= start,
                ProjectEvent.at < end,
            )
            .order_by(col(ProjectEvent.id))
        )
        return list(rows.all())

    # -- people around a project -------------------------------------------------------------
    async def follow(self, project: Project, user_id: int, source: str, mode: str = "digest") -> bool:
        result = await self.session.exec(
            insert_ignoring_conflicts(
                self.session,
                ProjectFollow,
                {
                    "project_id": project.id,
                    "user_id": user_id,
                    "mode": mode,
                    "source": source,
                    "created_at": self.clock.now(),
                },
            )  # type: ignore[call-overload]
        )
        return result.rowcount == 1

    async def following(self, project: Project, user: User) -> ProjectFollow | None:
        rows = await self.session.exec(
            select(ProjectFollow).where(
                ProjectFollow.project_id == project.id, ProjectFollow.user_id == user.id
            )
        )
        return rows.first()

    async def unfollow(self, project: Project, user: User) -> None:
        follow = await self.following(project, user)
        if follow is not None:
            await self.session.delete(follow)

    async def set_mode(self, project: Project, user: User, mode: str) -> None:
        if mode not in FOLLOW_MODES:
            raise ValueError(mode)
        follow = await self.following(project, user)
        if follow is None:
            await self.follow(project, user.id, "tap", mode)  # type: ignore[arg-type]
        else:
            follow.mode = mode

    async def followers(self, project: Project, modes: tuple[str, ...]) -> list[User]:
        rows = await self.session.exec(
            select(User)
            .join(ProjectFollow, col(ProjectFollow.user_id) == User.id)
            .where(ProjectFollow.project_id == project.id, col(ProjectFollow.mode).in_(modes))
            .order_by(col(User.id))
        )
        return list(rows.all())

    async def take_digest_slot(self, slot: datetime) -> datetime | None:
        """Claims the weekly digest of `slot` for this scheduler: returns where its period starts
        (the previous digest's slot, else a week before), or None when the slot was taken already
        (by an earlier tick, a later slot, or another replica: the insert is the lock)."""
        last = (
            await self.session.exec(select(DigestRun).order_by(col(DigestRun.slot).desc()).limit(1))
        ).first()
        if last is not None and last.slot >= slot:
            return None
        start = last.slot if last is not None else slot - timedelta(days=7)
        taken = await self.session.exec(
            insert_ignoring_conflicts(self.session, DigestRun, {"slot": slot, "period_start": start})  # type: ignore[call-overload]
        )
        return start if taken.rowcount == 1 else None

    async def digest_follows(self) -> dict[int, list[int]]:
        """user id → the projects they take as a weekly digest."""
        rows = await self.session.exec(
            select(ProjectFollow.user_id, ProjectFollow.project_id).where(ProjectFollow.mode == "digest")
        )
        wanted: dict[int, list[int]] = {}
        for user_id, project_id in rows.all():
            wanted.setdefault(user_id, []).append(project_id)
        return wanted

    async def supervisors(self, project: Project) -> list[User]:
        rows = await self.session.exec(
            select(User)
            .join(Deputy, col(Deputy.telegram_id) == User.telegram_id)
            .join(ProjectSupervisor, col(ProjectSupervisor.deputy_id) == Deputy.id)
            .where(ProjectSupervisor.project_id == project.id, Deputy.is_active)
            .order_by(col(Deputy.id))
        )
        return list(rows.all())

    async def supervisor_ids(self, project: Project) -> set[int]:
        rows = await self.session.exec(
            select(ProjectSupervisor.deputy_id).where(ProjectSupervisor.project_id == project.id)
        )
        return set(rows.all())

    async def toggle_supervisor(self, project: Project, deputy_id: int) -> bool:
        """True when the deputy is now in the group; only an active deputy can be added (a forged
        id adds nothing)."""
        found = (
            await self.session.exec(
                select(ProjectSupervisor).where(
                    ProjectSupervisor.project_id == project.id, ProjectSupervisor.deputy_id == deputy_id
                )
            )
        ).first()
        if found is not None:
            await self.session.delete(found)
            return False
        deputy = await self.session.get(Deputy, deputy_id)
        if deputy is None or not deputy.is_active:
            return False
        await self.session.exec(
            insert_ignoring_conflicts(
                self.session, ProjectSupervisor, {"project_id": project.id, "deputy_id": deputy_id}
            )  # type: ignore[call-overload]
        )
        return True

    async def facts(self, project: Project, user: User, role: Role) -> ProjectFacts:
        """What core.permissions needs to know about this reader and this project."""
        department = await self.department_of(user) if role is Role.STAFF else None
        return ProjectFacts(
            role=role,
            in_department=department is not None and department == project.department,
            supervisor=role is Role.DEPUTY and await self.is_supervisor(project, user),
            follows=await self.following(project, user) is not None,
        )

    async def history_for(
        self, project: Project, user: User, role: Role, limit: int = 50
    ) -> list[ProjectEvent]:
        """The history this reader may see (residents' feedback stays with the inner circle)."""
        facts = await self.facts(project, user, role)
        return visible_project_events(await self.history(project, limit), facts, user.id)

    async def is_supervisor(self, project: Project, user: User) -> bool:
        return user.id in {u.id for u in await self.supervisors(project)}

    async def staff(self, department: str) -> list[User]:
        rows = await self.session.exec(
            select(User)
            .join(StaffMember, col(StaffMember.telegram_id) == User.telegram_id)
            .where(StaffMember.department == department, StaffMember.is_active)
        )
        return list(rows.all())

    async def department_of(self, user: User) -> str | None:
        row = await self.session.exec(
            select(StaffMember.department).where(
                StaffMember.telegram_id == user.telegram_id, StaffMember.is_active
            )
        )
        return row.first()

    # -- changing ----------------------------------------------------------------------------
    async def _event(
        self, project: Project, kind: str, actor: User | None, role: Role, at: datetime, **fields: Any
    ) -> ProjectEvent:
        """One entry of the project's history, written with the change it records."""
        event = ProjectEvent(
            project_id=project.id,  # type: ignore[arg-type]
            kind=kind,
            actor_id=actor.id if actor else None,
            actor_role=role.value,
            at=at,
            **fields,
        )
        self.session.add(event)
        await self.session.flush()
        return event

    async def _bump(self, project: Project, seen_version: int, **values: object) -> None:
        """Compare-and-set on the version: of two people acting on one card, one wins."""
        now = self.clock.now()
        result = await self.session.exec(
            update(Project)
            .where(col(Project.id) == project.id, col(Project.version) == seen_version)
            .values(version=seen_version + 1, updated_at=now, **values)  # type: ignore[call-overload]
        )
        if result.rowcount != 1:
            raise StaleProject
        await self.session.refresh(project)

    async def report(
        self, project: Project, actor: User, seen_version: int, report: Report, *, plan: bool = False
    ) -> ProjectEvent:
        """A progress report (or the implementation plan): the project moves, the history grows."""
        now = self.clock.now()
        values: dict[str, object] = {}
        if plan:
            values["plan_filed_at"] = now
            values["next_report_due_at"] = now + self.report_every
        else:
            percent = project.percent if report.percent is None else report.percent
            values["percent"] = percent
            if report.spent is not None:
                values["spent"] = report.spent
            if project.next_report_due_at is not None:
                values["next_report_due_at"] = next_report_due(
                    project.next_report_due_at, now, self.report_every
                )
        filed = plan or project.plan_filed_at is not None
        values["status"] = status_for(int(values.get("percent", project.percent)), filed)  # type: ignore[call-overload]
        await self._bump(project, seen_version, **values)
        return await self._event(
            project,
            "plan" if plan else "report",
            actor,
            Role.STAFF,
            now,
            percent=None if plan else project.percent,
            spent=None if plan else report.spent,
            milestone=report.milestone,
            text=report.text,
            media_kind=report.media_kind,
            media=report.media,
        )

    async def change(
        self, project: Project, actor: User, seen_version: int, field: str, new_value: str, reason: str
    ) -> ProjectEvent:
        """A change to what was elected: always with a reason, always in the history."""
        if field not in CHANGEABLE:
            raise ValueError(field)
        old = getattr(project, field)
        stored: object = new_value
        if field == "budget":
            amount = parse_yuan(new_value)
            if amount is None:
                raise ValueError(new_value)
            stored = amount
        await self._bump(project, seen_version, **{field: stored})
        return await self._event(
            project,
            "change",
            actor,
            Role.ADMIN,
            self.clock.now(),
            field=field,
            old_value=None if old is None else str(old),
            new_value=str(stored),
            text=reason,
        )

    async def note(
        self, project: Project, actor: User, role: Role, kind: str, text: str, media: str | None = None
    ) -> ProjectEvent:
        """视察记录 by a supervising deputy, or a resident's feedback."""
        if kind not in ("inspection", "feedback"):
            raise ValueError(kind)
        return await self._event(
            project,
            kind,
            actor,
            role,
            self.clock.now(),
            text=text,
            media_kind="photo" if media else None,
            media=media,
        )

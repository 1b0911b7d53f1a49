"""The tables. Names follow the domain: users, districts, streets, communities, deputies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import AwareDateTime
from core.roles import Role


def column_limit(model: type[SQLModel], column: str) -> int:
    """The length of a VARCHAR column (characters, as PostgreSQL counts them), read from the table
    itself. What is typed or imported into a limited column is checked against it and refused
    with the limit said, never cut."""
    length = getattr(model.__table__.c[column].type, "length", None)  # type: ignore[attr-defined]
    if length is None:
        raise TypeError(f"{model.__name__}.{column} is not a column of limited length")
    return int(length)


def limited(model: type[SQLModel], column: str) -> bool:
    """Whether `column` of `model` has a length (column_limit)."""
    return getattr(model.__table__.c[column].type, "length", None) is not None  # type: ignore[attr-defined]


def _when(**kwargs: object) -> object:
    return Field(sa_column=Column(AwareDateTime(), **kwargs))


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    # The name Telegram gives; shown to deputies only when the resident agrees to share it.
    full_name: str = Field(default="", max_length=256)
    telegram_language: str | None = Field(default=None, max_length=16)
    # Set when the person chose a language with /language; otherwise Telegram's language rules.
    locale: str | None = Field(default=None, max_length=8)
    role: str = Field(default=Role.RESIDENT.value, max_length=16)
    pseudonym: str = Field(unique=True, max_length=16)
    is_blocked: bool = False
    # Where the resident last placed a suggestion: offered again next time.
    home_street_id: int | None = Field(default=None, foreign_key="streets.id")
    home_community_id: int | None = Field(default=None, foreign_key="communities.id")
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    last_seen_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class District(SQLModel, table=True):
    __tablename__ = "districts"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    name_en: str | None = Field(default=None, max_length=128)


class Street(SQLModel, table=True):
    __tablename__ = "streets"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    district_id: int = Field(foreign_key="districts.id", index=True)
    name: str = Field(max_length=64)
    # The name without its 街道 suffix: what a roster or a resident may write.
    key: str = Field(max_length=64)
    name_en: str | None = Field(default=None, max_length=128)


class Community(SQLModel, table=True):
    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("street_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="streets.id", index=True)
    name: str = Field(max_length=64)


class Deputy(SQLModel, table=True):
    __tablename__ = "deputies"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    telegram_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    street_id: int = Field(foreign_key="streets.id", index=True)
    liaison_station: str | None = Field(default=None, max_length=128)
    is_active: bool = True
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class DeputyEvent(SQLModel, table=True):
    """Every change an admin makes to the roster in chat: a deputy deactivated, reactivated or
    moved to another street; who did it and when (a CSV import is its own record)."""

    __tablename__ = "deputy_events"

    id: int | None = Field(default=None, primary_key=True)
    deputy_id: int = Field(foreign_key="deputies.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    kind: str = Field(max_length=16)  # deactivate, activate, move
    old_street_id: int | None = Field(default=None, foreign_key="streets.id")
    new_street_id: int | None = Field(default=None, foreign_key="streets.id")
    at: datetime = _when(nullable=False)  # type: ignore[assignment]


class Suggestion(SQLModel, table=True):
    __tablename__ = "suggestions"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    # The tracking number MS-{year}-{number:06d}, given at submission.
    year: int | None = None
    number: int | None = None
    resident_id: int = Field(foreign_key="users.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    category: str | None = Field(default=None, max_length=32)
    predicted_category: str | None = Field(default=None, max_length=32)
    confidence: float | None = None
    street_id: int | None = Field(default=None, foreign_key="streets.id", index=True)
    community_id: int | None = Field(default=None, foreign_key="communities.id")
    state: str = Field(max_length=24, index=True)
    share_name: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="suggestions.id")
    # 代表代征集: a deputy wrote it down for a resident met at a liaison station.
    on_behalf_deputy_id: int | None = Field(default=None, foreign_key="deputies.id")
    # Bumped by every change of state: a concurrent change is detected, never lost.
    version: int = 0
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    submitted_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    updated_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class SuggestionEvent(SQLModel, table=True):
    """Every change of a suggestion: who, when, from which state to which, and why."""

    __tablename__ = "suggestion_events"

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(foreign_key="suggestions.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    actor_role: str = Field(max_length=16)
    kind: str = Field(max_length=24)
    old_state: str | None = Field(default=None, max_length=24)
    new_state: str | None = Field(default=None, max_length=24)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: datetime = _when(nullable=False)  # type: ignore[assignment]


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(foreign_key="suggestions.id", index=True)
    kind: str = Field(max_length=16)  # photo, document
    file_id: str = Field(max_length=256)
    file_unique_id: str = Field(max_length=128)
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class Follow(SQLModel, table=True):
    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "suggestion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    suggestion_id: int = Field(foreign_key="suggestions.id", index=True)
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class CategoryCorrection(SQLModel, table=True):
    """A person chose another category than the classifier: training data for the keywords."""

    __tablename__ = "category_corrections"

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int | None = Field(default=None, foreign_key="suggestions.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    predicted: str | None = Field(default=None, max_length=32)
    corrected: str = Field(max_length=32)
    actor_role: str = Field(max_length=16)
    at: datetime = _when(nullable=False)  # type: ignore[assignment]


class TrackingCounter(SQLModel, table=True):
    """The last tracking number given in a year."""

    __tablename__ = "tracking_counters"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class StaffMember(SQLModel, table=True):
    """Staff of an implementing department (承办部门), registered through an invitation."""

    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    name: str = Field(max_length=64)
    department: str = Field(max_length=64)
    is_active: bool = True
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class Invite(SQLModel, table=True):
    """A one-time deep link (t.me/bot?start=inv_TOKEN) that makes its user a deputy or staff."""

    __tablename__ = "invites"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True, max_length=48)
    role: str = Field(max_length=16)
    street_id: int | None = Field(default=None, foreign_key="streets.id")
    department: str | None = Field(default=None, max_length=64)
    created_by: int = Field(foreign_key="users.id")
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    expires_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    used_by: int | None = Field(default=None, foreign_key="users.id")
    used_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    revoked_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]  # the office ended it


class PointsEntry(SQLModel, table=True):
    """One line of a deputy's 履职积分 ledger."""

    __tablename__ = "points_ledger"

    id: int | None = Field(default=None, primary_key=True)
    deputy_id: int = Field(foreign_key="deputies.id", index=True)
    action: str = Field(max_length=24)
    points: int
    suggestion_id: int | None = Field(default=None, foreign_key="suggestions.id")
    at: datetime = _when(nullable=False)  # type: ignore[assignment]


class CandidateItem(SQLModel, table=True):
    """An item that may stand in a selection round: a feasible suggestion or 特定征集 (imported)."""

    __tablename__ = "candidate_items"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    title: str = Field(max_length=200)
    category: str = Field(max_length=32)
    origin: str = Field(max_length=16)  # pool (from residents' suggestions) or special (特定征集)
    suggestion_id: int | None = Field(default=None, foreign_key="suggestions.id")
    department: str | None = Field(default=None, max_length=64)
    estimated_cost: str | None = Field(default=None, max_length=64)
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class SelectionRound(SQLModel, table=True):
    """One vote (项目票决); a runoff among tied candidates is a round with a parent."""

    __tablename__ = "rounds"

    id: int | None = Field(default=None, primary_key=True)
    year: int
    title: str = Field(max_length=200)
    mode: str = Field(max_length=16)
    quota: int
    status: str = Field(max_length=16, index=True)  # draft, scheduled, open, closed, published
    parent_id: int | None = Field(default=None, foreign_key="rounds.id")
    electorate: int | None = None  # fixed when the round opens
    opens_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    closes_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    opened_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    closed_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # core.tally as JSON
    created_by: int = Field(foreign_key="users.id")
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    # The round's own key for receipt hashes (hex, set at opening): published hashes cannot be
    # reversed offline, and a hash from one round says nothing about another.
    receipt_key: str | None = Field(default=None, max_length=64)


class RoundElector(SQLModel, table=True):
    """The electorate of a selection round, frozen when it opens: only these deputies vote, and
    turnout and quorum count against them. `reachable`: had a chat with the bot at opening."""

    __tablename__ = "round_electors"

    round_id: int = Field(
        foreign_key="rounds.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    deputy_id: int = Field(
        foreign_key="deputies.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    reachable: bool = True


class RoundCandidate(SQLModel, table=True):
    __tablename__ = "round_candidates"
    __table_args__ = (UniqueConstraint("round_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    code: str = Field(max_length=8)  # c1, c2, … as on the ballot
    item_id: int = Field(foreign_key="candidate_items.id")
    title: str = Field(max_length=200)
    category: str = Field(max_length=32)
    origin: str = Field(max_length=16)


class RoundVoter(SQLModel, table=True):
    """Who has voted in a round — and nothing about how: the ballot is stored apart."""

    __tablename__ = "round_voters"
    __table_args__ = (UniqueConstraint("round_id", "deputy_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    deputy_id: int = Field(foreign_key="deputies.id")
    channel: str = Field(max_length=8)  # chat or paper
    voted_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class CastBallot(SQLModel, table=True):
    """An anonymous ballot. Keyed by the hash of its receipt: no id order, no time, no deputy."""

    __tablename__ = "ballots"

    receipt_hash: str = Field(primary_key=True, max_length=64)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    choices: str = Field(sa_column=Column(Text, nullable=False))  # JSON: ["c1", …] or {"c1": "yes", …}


class BallotDraft(SQLModel, table=True):
    """A deputy's choices while they fill in the ballot; removed when the ballot is cast."""

    __tablename__ = "ballot_drafts"
    __table_args__ = (UniqueConstraint("round_id", "deputy_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id")
    deputy_id: int = Field(foreign_key="deputies.id")
    choices: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class RoundReminder(SQLModel, table=True):
    """A reminder or notice sent for a round: its key makes sending it twice impossible."""

    __tablename__ = "round_reminders"
    __table_args__ = (UniqueConstraint("round_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id")
    kind: str = Field(max_length=24)
    sent_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class PaperEntry(SQLModel, table=True):
    """A paper ballot typed in by an admin; counted only when a second admin types the same."""

    __tablename__ = "paper_entries"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    # The deputy and the choices are kept only while the entry waits for its check: once counted
    # (or refused) both are dropped, so the entry no longer says how that deputy voted.
    deputy_id: int | None = Field(default=None, foreign_key="deputies.id")
    choices: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=12)  # pending, counted, mismatch
    entered_by: int = Field(foreign_key="users.id")
    checked_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]


def _yuan(**kwargs: object) -> object:
    return Field(sa_column=Column(BigInteger, **kwargs))


class Project(SQLModel, table=True):
    """An elected 民生实事 project under implementation. Money is in whole 元 (shown in 万元)."""

    __tablename__ = "projects"
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    name: str = Field(max_length=200)
    category: str = Field(max_length=32, index=True)
    scope: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    street_id: int | None = Field(default=None, foreign_key="streets.id")
    place: str | None = Field(default=None, max_length=200)
    department: str = Field(max_length=64, index=True)
    budget: int = _yuan(nullable=False)  # type: ignore[assignment]
    spent: int = _yuan(nullable=False)  # type: ignore[assignment]
    percent: int = 0
    status: str = Field(default="planning", max_length=16)  # planning, in_progress, completed
    elected_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    plan_due_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    plan_filed_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    done_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]  # marked done by its department
    next_report_due_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    round_id: int | None = Field(default=None, foreign_key="rounds.id")
    item_id: int | None = Field(default=None, foreign_key="candidate_items.id", unique=True)
    version: int = 0
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    updated_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class ProjectEvent(SQLModel, table=True):
    """A project's history: plans, reports, changes with reasons, inspections, feedback."""

    __tablename__ = "project_events"
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True)
    kind: str = Field(max_length=16)  # created, plan, report, change, inspection, feedback
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    actor_role: str = Field(max_length=16)
    percent: int | None = None
    spent: int | None = _yuan(nullable=True)  # type: ignore[assignment]
    milestone: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    field: str | None = Field(default=None, max_length=16)
    old_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    media_kind: str | None = Field(default=None, max_length=16)  # photo, document
    media: str | None = Field(default=None, max_length=256)  # a Telegram file id
    at: datetime = _when(nullable=False)  # type: ignore[assignment]


class ProjectFollow(SQLModel, table=True):
    __tablename__ = "project_follows"
    __table_args__ = (UniqueConstraint("project_id", "user_id", name="uq_project_follows_project_user"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    mode: str = Field(default="digest", max_length=8)  # every, digest, mute
    source: str = Field(max_length=12)  # suggestion (theirs led to it) or tap
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class ProjectSupervisor(SQLModel, table=True):
    """The deputies of a project's supervision group."""

    __tablename__ = "project_supervisors"
    __table_args__ = (UniqueConstraint("project_id", "deputy_id", name="uq_project_supervisors"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True)
    deputy_id: int = Field(foreign_key="deputies.id")


class Notification(SQLModel, table=True):
    """Something to tell people; its key makes queuing it again a no-op."""

    __tablename__ = "notifications"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=160)
    kind: str = Field(max_length=24)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    summary: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # A file uploaded once with the first delivery, then sent again by its Telegram file id.
    blob: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    blob_name: str | None = Field(default=None, max_length=64)
    blob_file_id: str | None = Field(default=None, max_length=256)
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class Delivery(SQLModel, table=True):
    """One notification to one person: the outbox row a sender claims, sends and records."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "user_id", name="uq_deliveries_notification_user"),
        Index("ix_deliveries_status_due", "status", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notifications.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # pending → claimed (by a sender) → sending (its request is out) → sent | failed | blocked |
    # unknown (the request went out, no answer came) — or back to pending for a retry
    status: str = Field(default="pending", max_length=12)
    text: str = Field(sa_column=Column(Text, nullable=False))
    markup: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    media_kind: str | None = Field(default=None, max_length=16)
    media: str | None = Field(default=None, max_length=256)
    media_sent: bool = False
    # Deliveries sharing an edit key edit the message the last one sent, instead of a new one.
    edit_key: str | None = Field(default=None, max_length=64)
    due_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    attempts: int = 0
    worker: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    message_id: int | None = None
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    sent_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]


class DigestRun(SQLModel, table=True):
    """A weekly digest slot, taken once: its period starts where the previous one ended."""

    __tablename__ = "digest_runs"
    slot: datetime = Field(sa_column=Column(AwareDateTime(), primary_key=True))
    period_start: datetime = _when(nullable=False)  # type: ignore[assignment]


class EvaluationRound(SQLModel, table=True):
    """效果票评: deputies rate the year's projects."""

    __tablename__ = "evaluation_rounds"
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    title: str = Field(max_length=200)
    status: str = Field(max_length=16, index=True)  # draft, scheduled, open, closed, published
    electorate: int | None = None  # fixed when the round opens
    opens_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    closes_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    opened_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    closed_at: datetime | None = _when(nullable=True)  # type: ignore[assignment]
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    created_by: int = Field(foreign_key="users.id")
    created_at: datetime = _when(nullable=False)  # type: ignore[assignment]
    receipt_key: str | None = Field(default=None, max_length=64)  # as SelectionRound.receipt_key


class EvaluationElector(SQLModel, table=True):
    """The deputies who may rate in an evaluation round, frozen when it opens."""

    __tablename__ = "evaluation_electors"

    round_id: int = Field(
        foreign_key="evaluation_rounds.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    deputy_id: int = Field(
        foreign_key="deputies.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    reachable: bool = True


class EvaluationVoter(SQLModel, table=True):
    """That a deputy has rated, and when; what they rated is not linked to them."""

    __tablename__ = "evaluation_voters"
    __table_args__ = (UniqueConstraint("round_id", "deputy_id", name="uq_evaluation_voters_round_deputy"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_rounds.id", index=True)
    deputy_id: int = Field(foreign_key="deputies.id")
    rated_at: datetime = _when(nullable=False)  # type: ignore[assignment]


class EvaluationBallot(SQLModel, table=True):
    """A deputy's submitted ratings, keyed by the hash of their receipt, with no identity."""

    __tablename__ = "evaluation_ballots"
    receipt_hash: str = Field(primary_key=True, max_length=64)
    round_id: int = Field(foreign_key="evaluation_rounds.id", index=True)
    ratings: str = Field(sa_column=Column(Text, nullable=False))  # JSON: {"project id": rating}


class EvaluationDraft(SQLModel, table=True):
    """Ratings being given, before the deputy submits them (then deleted)."""

    __tablename__ = "evaluation_drafts"
    __table_args__ = (UniqueConstraint("round_id", "deputy_id", name="uq_evaluation_drafts_round_deputy"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_rounds.id")
    deputy_id: int = Field(foreign_key="deputies.id")
    ratings: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class FsmState(SQLModel, table=True):
    """A conversation's aiogram FSM state and data when there is no Redis (bot.db.fsm_storage)."""

    __tablename__ = "fsm_states"
    # aiogram's key: "fsm:<bot>:<business connection>:<chat>:<thread>:<user>:<destiny>".
    key: str = Field(primary_key=True, max_length=255)
    state: str | None = Field(default=None, max_length=255)
    data: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON object

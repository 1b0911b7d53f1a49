"""The tables. Names follow the domain: users, districts, streets, communities, deputies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import AwareDateTime
from core.roles import Role


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

"""invitations remember their revocation

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 18:40:00

A revoked invitation link used to be ended by moving its expiry to the moment of revocation, so
its user was told it had expired; revoked_at keeps the office's act apart, and the link says it
was revoked.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", bot.db.types.AwareDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")

"""round electorates, receipt keys, paper entries that forget the deputy

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 14:50:00

The electorate of a round becomes a list frozen at opening (round_electors, evaluation_electors);
each round gets its own key for receipt hashes; a paper entry's deputy may be dropped once the
entry is counted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "round_electors",
        sa.Column("round_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("deputy_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["deputy_id"], ["deputies.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"]),
        sa.PrimaryKeyConstraint("round_id", "deputy_id"),
    )
    op.create_table(
        "evaluation_electors",
        sa.Column("round_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("deputy_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["deputy_id"], ["deputies.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["evaluation_rounds.id"]),
        sa.PrimaryKeyConstraint("round_id", "deputy_id"),
    )
    # Rounds open during the upgrade keep the electorate they had: the deputies active now.
    op.execute(
        "INSERT INTO round_electors (round_id, deputy_id, reachable) "
        "SELECT r.id, d.id, TRUE FROM rounds r, deputies d WHERE r.status = 'open' AND d.is_active"
    )
    op.execute(
        "INSERT INTO evaluation_electors (round_id, deputy_id, reachable) "
        "SELECT r.id, d.id, TRUE FROM evaluation_rounds r, deputies d WHERE r.status = 'open' AND d.is_active"
    )
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("receipt_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    with op.batch_alter_table("evaluation_rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("receipt_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.alter_column("deputy_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Entries whose deputy was dropped cannot go back to a NOT NULL column: they were counted
    # (their ballot is in the box), so only their audit row goes.
    op.execute("DELETE FROM paper_entries WHERE deputy_id IS NULL")
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.alter_column("deputy_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("evaluation_rounds", schema=None) as batch_op:
        batch_op.drop_column("receipt_key")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("receipt_key")
    op.drop_table("evaluation_electors")
    op.drop_table("round_electors")

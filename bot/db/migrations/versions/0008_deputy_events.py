"""deputy events: the roster's changes made in chat

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('deputy_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('old_street_id', sa.Integer(), nullable=True),
    sa.Column('new_street_id', sa.Integer(), nullable=True),
    sa.Column('at', bot.db.types.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], ),
    sa.ForeignKeyConstraint(['new_street_id'], ['streets.id'], ),
    sa.ForeignKeyConstraint(['old_street_id'], ['streets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deputy_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deputy_events_deputy_id'), ['deputy_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deputy_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deputy_events_deputy_id'))

    op.drop_table('deputy_events')

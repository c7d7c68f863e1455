"""Plans as each province writes them: the appendix's other columns kept by title, a
timeframe's start, groups that take every unit of a kind, and roster files between their
preview and their commit.

Revision ID: 0006_plans_as_written
Revises: 0005_named_units
Create Date: 2026-11-29 06:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006_plans_as_written'
down_revision = '0005_named_units'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra_columns', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
    with op.batch_alter_table('unitgroup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_kinds', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
    op.create_table(
        'rosterimport',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('committed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('rosterimport')
    with op.batch_alter_table('unitgroup', schema=None) as batch_op:
        batch_op.drop_column('member_kinds')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('starts_on')
        batch_op.drop_column('extra')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('extra_columns')

"""The data stamp: one row whose version every committed write moves on, which the cached
parts of a unit's home are keyed by.

Revision ID: 0012_data_stamp
Revises: 0011_audit_by_account
Create Date: 2026-11-29 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012_data_stamp'
down_revision = '0011_audit_by_account'
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = op.create_table(
        'datastamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(stamp, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    op.drop_table('datastamp')

"""Assignments the reviewer adds where a cell names no unit in particular.

Revision ID: 0005_named_units
Revises: 0004_api_tokens
Create Date: 2026-11-27 01:10:55.997799
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005_named_units'
down_revision = '0004_api_tokens'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='plan'))



def downgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('source')


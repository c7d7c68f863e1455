"""The phrases an administrator has mapped on a plan's preview, kept with the pending import so
that «Xem lại» answers with a page to come back to (and a later visit shows them again).

Revision ID: 0013_import_choices
Revises: 0012_data_stamp
Create Date: 2026-11-30 06:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013_import_choices'
down_revision = '0012_data_stamp'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('planimport') as batch:
        batch.add_column(sa.Column('choices', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('planimport') as batch:
        batch.drop_column('choices')

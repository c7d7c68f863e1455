"""The review loop: a version accepted before a newer one was sent keeps counting; a closed
period may be reopened, with a reason; each user's pages stay on the plan they chose.

Revision ID: 0008_review_loop
Revises: 0007_buckets
Create Date: 2026-11-29 14:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008_review_loop'
down_revision = '0007_buckets'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('periodreport', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_values', sa.JSON(), nullable=True))
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopened_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reopened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reopen_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key('fk_period_reopened_by_id_user', 'user', ['reopened_by_id'], ['id'])
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_user_plan_id_plan', 'plan', ['plan_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint('fk_user_plan_id_plan', type_='foreignkey')
        batch_op.drop_column('plan_id')
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.drop_constraint('fk_period_reopened_by_id_user', type_='foreignkey')
        batch_op.drop_column('reopen_reason')
        batch_op.drop_column('reopened_at')
        batch_op.drop_column('reopened_by_id')
    with op.batch_alter_table('periodreport', schema=None) as batch_op:
        batch_op.drop_column('accepted_values')

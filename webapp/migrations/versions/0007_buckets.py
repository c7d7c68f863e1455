"""The Government Office's buckets: statuses frozen in closed periods are moved to them
(a row not done is overdue or within its deadline, started or not; a recurring row is
counted as recurring; «có vướng mắc» becomes a flag beside the bucket).

Revision ID: 0007_buckets
Revises: 0006_plans_as_written
Create Date: 2026-11-29 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007_buckets'
down_revision = '0006_plans_as_written'
branch_labels = None
depends_on = None

NOT_DONE = "('not_started', 'in_progress', 'in_progress_overdue', 'blocked')"


def upgrade() -> None:
    with op.batch_alter_table('periodtaskstatus', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Rows of closed periods.
    op.execute("UPDATE periodtaskstatus SET blocked = (status = 'blocked')")
    op.execute(f"""
        UPDATE periodtaskstatus SET status = CASE
            WHEN EXISTS (SELECT 1 FROM task WHERE task.id = periodtaskstatus.task_id AND task.recurrence <> '')
                THEN 'recurring'
            WHEN status = 'in_progress_overdue' THEN 'overdue'
            WHEN status IN {NOT_DONE} AND due_on IS NOT NULL AND due_on < (
                SELECT period.ends_on FROM period WHERE period.id = periodtaskstatus.period_id) THEN 'overdue'
            WHEN status IN {NOT_DONE} THEN 'pending'
            ELSE status END""")
    # Each lead's frozen status.
    op.execute(f"""
        UPDATE periodreport SET frozen_status = CASE
            WHEN frozen_status IN ('', 'not_reported') THEN frozen_status
            WHEN EXISTS (SELECT 1 FROM task WHERE task.id = periodreport.task_id AND task.recurrence <> '')
                THEN 'recurring'
            WHEN frozen_status = 'in_progress_overdue' THEN 'overdue'
            WHEN frozen_status IN {NOT_DONE} AND frozen_due_on IS NOT NULL AND frozen_due_on < (
                SELECT period.ends_on FROM period WHERE period.id = periodreport.period_id) THEN 'overdue'
            WHEN frozen_status IN {NOT_DONE} THEN 'pending'
            ELSE frozen_status END""")


def downgrade() -> None:
    op.execute("UPDATE periodtaskstatus SET status = 'blocked' WHERE blocked")
    op.execute("UPDATE periodtaskstatus SET status = 'in_progress_overdue' WHERE status = 'overdue'")
    op.execute("UPDATE periodtaskstatus SET status = 'in_progress' WHERE status IN ('pending', 'recurring')")
    op.execute("UPDATE periodreport SET frozen_status = 'in_progress_overdue' WHERE frozen_status = 'overdue'")
    op.execute("UPDATE periodreport SET frozen_status = 'in_progress' WHERE frozen_status IN ('pending', 'recurring')")
    with op.batch_alter_table('periodtaskstatus', schema=None) as batch_op:
        batch_op.drop_column('blocked')

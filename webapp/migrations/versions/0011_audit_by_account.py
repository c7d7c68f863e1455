"""The audit log filtered by account reads that account's events through an index, however
long the log has grown.

Revision ID: 0011_audit_by_account
Revises: 0010_review_files
Create Date: 2026-11-29 12:00:00
"""

from alembic import op

revision = '0011_audit_by_account'
down_revision = '0010_review_files'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditevent_username'), ['username'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditevent_username'))

"""Files the reviewer sends with a return comment, each tied to the review of a period copy
it came with; their contents go to the same store as the evidence files.

Revision ID: 0010_review_files
Revises: 0009_evidence_files
Create Date: 2026-11-30 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010_review_files'
down_revision = '0009_evidence_files'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reviewattachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_report_id', sa.Integer(), nullable=False),
        sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['period_report_id'], ['periodreport.id']),
        sa.ForeignKeyConstraint(['sha256'], ['storedfile.sha256']),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reviewattachment_period_report_id', 'reviewattachment', ['period_report_id'])


def downgrade() -> None:
    op.drop_index('ix_reviewattachment_period_report_id', table_name='reviewattachment')
    op.drop_table('reviewattachment')

"""Evidence files: contents stored once by SHA-256 in chunks, attached to reports, and the
files each report carried when it was sent for a period.

Revision ID: 0009_evidence_files
Revises: 0008_review_loop
Create Date: 2026-11-29 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009_evidence_files'
down_revision = '0008_review_loop'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'storedfile',
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('sha256'),
    )
    op.create_table(
        'filechunk',
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['sha256'], ['storedfile.sha256']),
        sa.PrimaryKeyConstraint('sha256', 'seq'),
    )
    op.create_table(
        'attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['report.id']),
        sa.ForeignKeyConstraint(['sha256'], ['storedfile.sha256']),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['removed_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_attachment_report_id', 'attachment', ['report_id'])
    op.create_table(
        'periodattachment',
        sa.Column('period_report_id', sa.Integer(), nullable=False),
        sa.Column('attachment_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['period_report_id'], ['periodreport.id']),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id']),
        sa.PrimaryKeyConstraint('period_report_id', 'attachment_id'),
    )
    op.create_index('ix_periodattachment_attachment_id', 'periodattachment', ['attachment_id'])


def downgrade() -> None:
    op.drop_index('ix_periodattachment_attachment_id', table_name='periodattachment')
    op.drop_table('periodattachment')
    op.drop_index('ix_attachment_report_id', table_name='attachment')
    op.drop_table('attachment')
    op.drop_table('filechunk')
    op.drop_table('storedfile')

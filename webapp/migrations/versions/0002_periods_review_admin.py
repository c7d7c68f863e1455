"""Reporting periods and their review, deadline extensions, reminders, indicator figures,
plan imports, unit merges, account e-mails and password resets.

Revision ID: 0002_periods_review_admin
Revises: 0001_foundation
Create Date: 2026-11-27 00:41:20.184752
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002_periods_review_admin'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminderlog',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('unit_id', 'sent_on')
    )
    op.create_table('period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('quarter', 'half_year', 'year', name='periodkind', native_enum=False, length=20), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_plan_id'), ['plan_id'], unique=False)

    op.create_table('planimport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('original_due_on', sa.Date(), nullable=True),
    sa.Column('new_due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'refused', name='extensionstate', native_enum=False, length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('extension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_unit_id'), ['unit_id'], unique=False)

    op.create_table('periodreport',
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', 'blocked', name='reportstatus', native_enum=False, length=20), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('evidence_number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('evidence_date', sa.Date(), nullable=True),
    sa.Column('difficulties', sa.Text(), nullable=False),
    sa.Column('proposals', sa.Text(), nullable=False),
    sa.Column('contribution_note', sa.Text(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('submitted', 'accepted', 'returned', 'missing', name='reviewstate', native_enum=False, length=20), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('frozen_status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('frozen_due_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period_id', 'task_id', 'unit_id')
    )
    with op.batch_alter_table('periodreport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_periodreport_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_periodreport_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_periodreport_unit_id'), ['unit_id'], unique=False)

    op.create_table('periodtaskstatus',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('leads', sa.Integer(), nullable=False),
    sa.Column('reported', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('period_id', 'task_id')
    )
    op.create_table('indicatorvalue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('explanation_request', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], ),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('indicator_id', 'unit_id', 'period_id')
    )
    with op.batch_alter_table('indicatorvalue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicatorvalue_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicatorvalue_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicatorvalue_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_unit_merged_into_id', 'unit', ['merged_into_id'], ['id'])
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_due_on', sa.Date(), nullable=True))
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline_value', sa.Float(), nullable=True))
    with op.batch_alter_table('reportchange', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('reportchange', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_reportchange_period_id', 'period', ['period_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('reportchange', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reportchange_period_id', type_='foreignkey')
    with op.batch_alter_table('reportchange', schema=None) as batch_op:
        batch_op.drop_column('period_id')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('baseline_value')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('set_due_on')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint('fk_unit_merged_into_id', type_='foreignkey')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('merged_into_id')
    op.drop_table('indicatorvalue')
    op.drop_table('periodtaskstatus')
    op.drop_table('periodreport')
    op.drop_table('extension')
    op.drop_table('planimport')
    op.drop_table('period')
    op.drop_table('reminderlog')

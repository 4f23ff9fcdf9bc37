"""timeliness figures, monthly reports and conference records: the working-day calendar table,
monthly report rows, conference member departments, attendance and minutes, and the indexes
the figures group over (cases by report time, steps by start time)

Revision ID: figures0001a1
Revises: rules0001c0un
Create Date: 2026-12-07 17:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'figures0001a1'
down_revision = 'rules0001c0un'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'working_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('ordinal', sa.Integer(), nullable=False),
        sa.Column('working', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_working_days')))
    op.create_table(
        'monthly_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=32), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('xlsx_name', sa.String(length=80), nullable=True),
        sa.Column('pdf_name', sa.String(length=80), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'],
                                name=op.f('fk_monthly_reports_job_id_jobs')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_monthly_reports_requested_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_reports')))
    op.create_index('ix_monthly_reports_period', 'monthly_reports', ['year', 'month'])
    op.create_table(
        'conference_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'],
                                name=op.f('fk_conference_members_added_by_id_users')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_conference_members_organisation_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conference_members')),
        sa.UniqueConstraint('organisation_id',
                            name=op.f('uq_conference_members_organisation_id')))
    op.create_table(
        'conference_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conference_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('present', sa.Boolean(), nullable=False),
        sa.Column('representative', sa.String(length=60), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'],
                                name=op.f('fk_conference_attendance_conference_id_conferences')),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_conference_attendance_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_conference_attendance_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conference_attendance')),
        sa.UniqueConstraint('conference_id', 'organisation_id',
                            name=op.f('uq_conference_attendance_conference_id')))
    op.create_index(op.f('ix_conference_attendance_conference_id'), 'conference_attendance',
                    ['conference_id'])
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('minutes_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('minutes_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_conferences_minutes_by_id_users'), 'users',
                                    ['minutes_by_id'], ['id'])
    op.create_index(op.f('ix_cases_reported_at'), 'cases', ['reported_at'])
    op.create_index(op.f('ix_case_step_deadlines_started_at'), 'case_step_deadlines',
                    ['started_at'])


def downgrade():
    op.drop_index(op.f('ix_case_step_deadlines_started_at'), table_name='case_step_deadlines')
    op.drop_index(op.f('ix_cases_reported_at'), table_name='cases')
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conferences_minutes_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('minutes_by_id')
        batch_op.drop_column('minutes_at')
        batch_op.drop_column('minutes')
    op.drop_index(op.f('ix_conference_attendance_conference_id'),
                  table_name='conference_attendance')
    op.drop_table('conference_attendance')
    op.drop_table('conference_members')
    op.drop_index('ix_monthly_reports_period', table_name='monthly_reports')
    op.drop_table('monthly_reports')
    op.drop_table('working_days')

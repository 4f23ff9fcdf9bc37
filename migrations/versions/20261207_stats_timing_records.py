"""timing records: per case, working days to first help and to closure; month histograms of
cases and of finished steps, so the timeliness figures read aggregates

Revision ID: stats0001timings
Revises: english0002words
Create Date: 2026-12-07 23:55:00

``case_timings`` holds one row per case (its town, the month of its report, and the working
days from the report to the first help and to the closure); ``case_timing_counts`` how many
cases of a month and town were received, helped or closed after so many working days;
``step_timing_counts`` how many finished steps of a month were on time or late, by town,
department and step. The services keep them as cases change
(``webapp/services/statistics/timings.py``); this revision fills them from the cases there
are, counting working days with the app's configured calendar as the figures do.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from webapp.services.statistics import timings

revision = 'stats0001timings'
down_revision = 'english0002words'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_timings',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('town_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('help_days', sa.Integer(), nullable=True),
        sa.Column('closure_days', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_case_timings_case_id_cases')),
        sa.ForeignKeyConstraint(['town_id'], ['organisations.id'],
                                name=op.f('fk_case_timings_town_id_organisations')),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_timings')),
    )
    op.create_index('ix_case_timings_month_town', 'case_timings', ['month', 'town_id'])
    op.create_table(
        'case_timing_counts',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('measure', sa.String(length=10), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.Column('town_id', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('month', 'measure', 'days', 'town_id',
                                name=op.f('pk_case_timing_counts')),
    )
    op.create_table(
        'step_timing_counts',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('town_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=32), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('month', 'town_id', 'department_id', 'step', 'late',
                                name=op.f('pk_step_timing_counts')),
    )
    session = Session(bind=op.get_bind())
    timings.rebuild(session)
    session.flush()


def downgrade():
    op.drop_table('step_timing_counts')
    op.drop_table('case_timing_counts')
    op.drop_index('ix_case_timings_month_town', table_name='case_timings')
    op.drop_table('case_timings')

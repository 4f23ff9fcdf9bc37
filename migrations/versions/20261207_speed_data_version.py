"""data_version: the row cached public pages are keyed to; indexes the staff lists need

Revision ID: speed0001dv01
Revises: account0002dl
Create Date: 2026-12-07 17:20:00

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = 'speed0001dv01'
down_revision = 'account0002dl'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')))
    op.bulk_insert(table, [{"id": 1, "version": 1,
                            "changed_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}])
    # The officers' case list orders by urgency, newest first: without this index both
    # databases sort every case for each page (EXPLAIN: a temporary B-tree / Sort node).
    op.create_index('ix_cases_urgency_id', 'cases', ['urgency', 'id'])
    # A case's timeline, in order, read by index alone.
    op.create_index('ix_case_events_case_id_id', 'case_events', ['case_id', 'id'])


def downgrade():
    op.drop_index('ix_case_events_case_id_id', table_name='case_events')
    op.drop_index('ix_cases_urgency_id', table_name='cases')
    op.drop_table('data_version')

"""indexes the figures and the case list need at a county's ten years: the case list's order,
money posted and pledges made or received by date

Revision ID: web0001idx01
Revises: consent0001notice
Create Date: 2026-12-07 21:15:00

The case list orders by ``high_impact DESC, urgency DESC, id DESC`` (重大敏感 cases on top).
``ix_cases_urgency_id`` covered the order before ``high_impact`` led it; with 100,000 cases
both databases then sorted every case for each page (SQLite: "USE TEMP B-TREE FOR RIGHT PART
OF ORDER BY", about 80 ms a page). The index on the whole order replaces it; a town window's
list (``town_id = ?`` in the same order) gets its own.

The timeliness figures and the monthly report read posted payments, pledges received and
pledges made by date; without these indexes SQLite scans every pledge (100,000 at that scale)
or every posted payment for each period.
"""
from alembic import op

revision = 'web0001idx01'
down_revision = 'consent0001notice'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_cases_list_order', 'cases', ['high_impact', 'urgency', 'id'])
    op.create_index('ix_cases_town_list_order', 'cases',
                    ['town_id', 'high_impact', 'urgency', 'id'])
    op.drop_index('ix_cases_urgency_id', table_name='cases')
    op.create_index('ix_money_transfers_posted_at', 'money_transfers', ['posted_at'])
    op.create_index('ix_pledges_created_at', 'pledges', ['created_at'])
    op.create_index('ix_pledges_fulfilled_at', 'pledges', ['fulfilled_at'])


def downgrade():
    op.drop_index('ix_pledges_fulfilled_at', table_name='pledges')
    op.drop_index('ix_pledges_created_at', table_name='pledges')
    op.drop_index('ix_money_transfers_posted_at', table_name='money_transfers')
    op.create_index('ix_cases_urgency_id', 'cases', ['urgency', 'id'])
    op.drop_index('ix_cases_town_list_order', table_name='cases')
    op.drop_index('ix_cases_list_order', table_name='cases')

"""the officers' case list read in its order by index: high-impact first, then urgency, newest

Revision ID: web0001list01
Revises: speed0001dv01
Create Date: 2026-12-07 21:15:00

The case list orders by ``high_impact DESC, urgency DESC, id DESC`` (重大敏感 cases on top).
``ix_cases_urgency_id`` covered the order before ``high_impact`` led it; with 100,000 cases
both databases then sorted every case for each page (SQLite: "USE TEMP B-TREE FOR RIGHT PART
OF ORDER BY", about 80 ms a page). The index on the whole order replaces it; a town window's
list (``town_id = ?`` in the same order) gets its own.
"""
from alembic import op

revision = 'web0001list01'
down_revision = 'speed0001dv01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_cases_list_order', 'cases', ['high_impact', 'urgency', 'id'])
    op.create_index('ix_cases_town_list_order', 'cases',
                    ['town_id', 'high_impact', 'urgency', 'id'])
    op.drop_index('ix_cases_urgency_id', table_name='cases')


def downgrade():
    op.create_index('ix_cases_urgency_id', 'cases', ['urgency', 'id'])
    op.drop_index('ix_cases_town_list_order', table_name='cases')
    op.drop_index('ix_cases_list_order', table_name='cases')

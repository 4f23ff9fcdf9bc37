"""match runs: fairness by town and category, optimal vs greedy

Revision ID: c18a7f3e2b90
Revises: 3a7e0c9b51d2
Create Date: 2026-12-07 14:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c18a7f3e2b90'
down_revision = '3a7e0c9b51d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_runs') as batch:
        batch.add_column(sa.Column('fairness', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('match_runs') as batch:
        batch.drop_column('fairness')

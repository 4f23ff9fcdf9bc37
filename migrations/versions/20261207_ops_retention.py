"""applicants.purged_at: when retention replaced the personal columns

Revision ID: 3a7e0c9b51d2
Revises: 6bb733d4d5f6
Create Date: 2026-12-07 14:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = '3a7e0c9b51d2'
down_revision = '6bb733d4d5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applicants') as batch_op:
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('applicants') as batch_op:
        batch_op.drop_column('purged_at')

"""one account of help per need: the never-written need_cards.amount_covered goes; a
help-first payment records when it was confirmed or reversed

Revision ID: a7c0unt12d01
Revises: c7a1d2e3f407
Create Date: 2026-12-07 14:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c0unt12d01'
down_revision = 'c7a1d2e3f407'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('need_cards', schema=None) as batch_op:
        batch_op.drop_column('amount_covered')
    with op.batch_alter_table('money_transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('money_transfers', schema=None) as batch_op:
        batch_op.drop_column('verified_at')
    with op.batch_alter_table('need_cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount_covered', sa.Numeric(precision=14, scale=2),
                                      nullable=False, server_default='0'))

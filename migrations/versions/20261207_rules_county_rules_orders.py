"""county rules, calendar days, scheme standard history, supervision orders, cases.high_impact

Revision ID: rules0001c0un
Revises: a7c0unt12d01
Create Date: 2026-12-07 17:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'rules0001c0un'
down_revision = 'a7c0unt12d01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'county_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_county_rules_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_county_rules')))
    op.create_index('ix_county_rules_key_effective', 'county_rules', ['key', 'effective_from'])
    op.create_table(
        'calendar_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('note', sa.String(length=100), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_calendar_days_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
        sa.UniqueConstraint('day', 'source', name=op.f('uq_calendar_days_day')))
    op.create_index(op.f('ix_calendar_days_day'), 'calendar_days', ['day'])
    op.create_table(
        'scheme_standard_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scheme_id', sa.Integer(), nullable=False),
        sa.Column('min_amount', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('max_amount', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('times_per_year', sa.Integer(), nullable=True),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_scheme_standard_changes_created_by_id_users')),
        sa.ForeignKeyConstraint(['scheme_id'], ['schemes.id'],
                                name=op.f('fk_scheme_standard_changes_scheme_id_schemes')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_standard_changes')))
    op.create_index(op.f('ix_scheme_standard_changes_scheme_id'), 'scheme_standard_changes',
                    ['scheme_id'])
    op.create_table(
        'supervision_orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_kind', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reply_due_on', sa.Date(), nullable=False),
        sa.Column('request', sa.String(length=1000), nullable=False),
        sa.Column('level', sa.String(length=32), nullable=False),
        sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('reply', sa.String(length=2000), nullable=True),
        sa.Column('replied_by_id', sa.Integer(), nullable=True),
        sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_supervision_orders_case_id_cases')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'],
                                name=op.f('fk_supervision_orders_closed_by_id_users')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'],
                                name=op.f('fk_supervision_orders_issued_by_id_users')),
        sa.ForeignKeyConstraint(['recipient_id'], ['organisations.id'],
                                name=op.f('fk_supervision_orders_recipient_id_organisations')),
        sa.ForeignKeyConstraint(['replied_by_id'], ['users.id'],
                                name=op.f('fk_supervision_orders_replied_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_orders')))
    op.create_index(op.f('ix_supervision_orders_case_id'), 'supervision_orders', ['case_id'])
    op.create_index(op.f('ix_supervision_orders_recipient_id'), 'supervision_orders',
                    ['recipient_id'])
    op.create_index('ix_supervision_orders_status_due', 'supervision_orders',
                    ['status', 'reply_due_on'])
    op.create_index('ix_supervision_orders_subject', 'supervision_orders',
                    ['subject_kind', 'subject_id'])
    with op.batch_alter_table('cases') as batch_op:
        batch_op.add_column(sa.Column('high_impact', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_cases_high_impact'), ['high_impact'])


def downgrade():
    with op.batch_alter_table('cases') as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_high_impact'))
        batch_op.drop_column('high_impact')
    op.drop_index('ix_supervision_orders_subject', table_name='supervision_orders')
    op.drop_index('ix_supervision_orders_status_due', table_name='supervision_orders')
    op.drop_index(op.f('ix_supervision_orders_recipient_id'), table_name='supervision_orders')
    op.drop_index(op.f('ix_supervision_orders_case_id'), table_name='supervision_orders')
    op.drop_table('supervision_orders')
    op.drop_index(op.f('ix_scheme_standard_changes_scheme_id'),
                  table_name='scheme_standard_changes')
    op.drop_table('scheme_standard_changes')
    op.drop_index(op.f('ix_calendar_days_day'), table_name='calendar_days')
    op.drop_table('calendar_days')
    op.drop_index('ix_county_rules_key_effective', table_name='county_rules')
    op.drop_table('county_rules')

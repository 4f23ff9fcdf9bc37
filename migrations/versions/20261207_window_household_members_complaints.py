"""every door in: household members at intake, the town windows' public page, complaints

Revision ID: window0001hm01
Revises: doors0001lead
Create Date: 2026-12-07 17:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'window0001hm01'
down_revision = 'doors0001lead'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'household_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('relation', sa.String(length=32), nullable=False),
        sa.Column('id_number', sa.Text(), nullable=True),
        sa.Column('person_key', sa.String(length=64), nullable=True),
        sa.Column('disability', sa.Boolean(), nullable=False),
        sa.Column('elderly', sa.Boolean(), nullable=False),
        sa.Column('minor', sa.Boolean(), nullable=False),
        sa.Column('serious_illness', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_household_members_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_household_members')))
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_members_case_id'), ['case_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_household_members_person_key'), ['person_key'],
                              unique=False)
    op.create_table(
        'town_windows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('town_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('opening_hours', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('supervision_phone', sa.String(length=20), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['town_id'], ['organisations.id'],
                                name=op.f('fk_town_windows_town_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_town_windows')),
        sa.UniqueConstraint('town_id', name=op.f('uq_town_windows_town_id')))
    op.create_table(
        'complaints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=True),
        sa.Column('town_id', sa.Integer(), nullable=True),
        sa.Column('topic', sa.String(length=32), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('case_number', sa.String(length=20), nullable=True),
        sa.Column('contact_name', sa.Text(), nullable=True),
        sa.Column('contact_phone', sa.Text(), nullable=True),
        sa.Column('address_key', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('answer', sa.String(length=2000), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'],
                                name=op.f('fk_complaints_answered_by_id_users')),
        sa.ForeignKeyConstraint(['town_id'], ['organisations.id'],
                                name=op.f('fk_complaints_town_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
        sa.UniqueConstraint('number', name=op.f('uq_complaints_number')))
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        for column in ('address_key', 'due_on', 'received_at', 'status', 'town_id'):
            batch_op.create_index(batch_op.f(f'ix_complaints_{column}'), [column], unique=False)


def downgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        for column in ('address_key', 'due_on', 'received_at', 'status', 'town_id'):
            batch_op.drop_index(batch_op.f(f'ix_complaints_{column}'))
    op.drop_table('complaints')
    op.drop_table('town_windows')
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_members_person_key'))
        batch_op.drop_index(batch_op.f('ix_household_members_case_id'))
    op.drop_table('household_members')

"""the loop closes: service sessions logged against pairings, one structured outcome per
closed case, and which need a received pledge was used for

Revision ID: account0002dl
Revises: window0001hm01
Create Date: 2026-12-07 17:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'account0002dl'
down_revision = 'window0001hm01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'service_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('delivered_on', sa.Date(), nullable=False),
        sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('logged_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_service_sessions_case_id_cases')),
        sa.ForeignKeyConstraint(['logged_by_id'], ['users.id'],
                                name=op.f('fk_service_sessions_logged_by_id_users')),
        sa.ForeignKeyConstraint(['proposal_id'], ['match_proposals.id'],
                                name=op.f('fk_service_sessions_proposal_id_match_proposals')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_sessions')))
    with op.batch_alter_table('service_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_sessions_case_id'), ['case_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_service_sessions_proposal_id'), ['proposal_id'],
                              unique=False)
    op.create_table(
        'case_outcomes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('result', sa.String(length=32), nullable=False),
        sa.Column('story', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_case_outcomes_case_id_cases')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_case_outcomes_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_outcomes')),
        sa.UniqueConstraint('case_id', name=op.f('uq_case_outcomes_case_id')))
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_need_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_pledges_used_need_id_need_cards'),
                                    'need_cards', ['used_need_id'], ['id'])


def downgrade():
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pledges_used_need_id_need_cards'),
                                 type_='foreignkey')
        batch_op.drop_column('used_need_id')
    op.drop_table('case_outcomes')
    with op.batch_alter_table('service_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_sessions_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_service_sessions_case_id'))
    op.drop_table('service_sessions')

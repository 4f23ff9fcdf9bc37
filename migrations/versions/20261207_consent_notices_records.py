"""consent_notices and consent_records: the versioned 告知同意 notice and who agreed to it

Revision ID: consent0001notice
Revises: english0001nk
Create Date: 2026-12-07 20:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'consent0001notice'
down_revision = 'english0001nk'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'consent_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'],
                                name=op.f('fk_consent_notices_published_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_notices')),
        sa.UniqueConstraint('version', name=op.f('uq_consent_notices_version')))
    op.create_index(op.f('ix_consent_notices_effective_on'), 'consent_notices',
                    ['effective_on'])
    op.create_table(
        'consent_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('lead_id', sa.Integer(), nullable=True),
        sa.Column('method', sa.String(length=32), nullable=False),
        sa.Column('proxy_name', sa.Text(), nullable=True),
        sa.Column('proxy_relation', sa.String(length=20), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_consent_records_case_id_cases')),
        sa.ForeignKeyConstraint(['lead_id'], ['leads.id'],
                                name=op.f('fk_consent_records_lead_id_leads')),
        sa.ForeignKeyConstraint(['notice_id'], ['consent_notices.id'],
                                name=op.f('fk_consent_records_notice_id_consent_notices')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_consent_records_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records')))
    op.create_index(op.f('ix_consent_records_case_id'), 'consent_records', ['case_id'])
    op.create_index(op.f('ix_consent_records_lead_id'), 'consent_records', ['lead_id'])
    op.create_index(op.f('ix_consent_records_notice_id'), 'consent_records', ['notice_id'])


def downgrade():
    op.drop_index(op.f('ix_consent_records_notice_id'), table_name='consent_records')
    op.drop_index(op.f('ix_consent_records_lead_id'), table_name='consent_records')
    op.drop_index(op.f('ix_consent_records_case_id'), table_name='consent_records')
    op.drop_table('consent_records')
    op.drop_index(op.f('ix_consent_notices_effective_on'), table_name='consent_notices')
    op.drop_table('consent_notices')

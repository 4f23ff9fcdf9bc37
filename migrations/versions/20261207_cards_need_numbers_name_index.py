"""need card numbers, levels and edited titles; blind index of applicant names

Adds ``need_cards.number`` (public need number XQ-<year>-<seq>), ``need_cards.level`` (the
k-anonymity generalisation level) and ``need_cards.title_edited``, and ``applicants.name_key``
(HMAC of the full normalised name under PERSON_HASH_KEY). Existing rows are backfilled: cards
are numbered in order of publication, cards without a town get the county level, titles not
in the old generated form count as the officer's, and every applicant's name is hashed (the
name is decrypted in memory only, with the app's FIELD_ENCRYPTION_KEY).

Revision ID: c7a1d2e3f407
Revises: c18a7f3e2b90
Create Date: 2026-12-07 14:00:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from webapp.services.cases import finding

# revision identifiers, used by Alembic.
revision = 'c7a1d2e3f407'
down_revision = 'c18a7f3e2b90'
branch_labels = None
depends_on = None

COUNTY_LEVEL = 5  # webapp.privacy.publishing.card.LEVEL_COUNTY when this revision was written


def upgrade():
    # Plain ALTER TABLE ADD COLUMN and CREATE INDEX: no table rebuild, which SQLite could not do
    # for need_cards while other tables' rows point at it.
    op.add_column('applicants', sa.Column('name_key', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_applicants_name_key'), 'applicants', ['name_key'], unique=False)
    op.add_column('need_cards', sa.Column('number', sa.String(length=16), nullable=True))
    op.add_column('need_cards', sa.Column('level', sa.Integer(), nullable=False,
                                          server_default=sa.text('0')))
    op.add_column('need_cards', sa.Column('title_edited', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    _backfill()
    op.create_index(op.f('ix_need_cards_number'), 'need_cards', ['number'], unique=True)


def _backfill():
    conn = op.get_bind()
    cards = sa.table('need_cards', sa.column('id', sa.Integer), sa.column('number', sa.String),
                     sa.column('level', sa.Integer), sa.column('town_id', sa.Integer),
                     sa.column('title', sa.String), sa.column('title_edited', sa.Boolean),
                     sa.column('published_at', sa.String))
    conn.execute(cards.update().where(cards.c.town_id.is_(None)).values(level=COUNTY_LEVEL))
    conn.execute(cards.update().where(~cards.c.title.like('%一户家庭%急需救助'))
                 .values(title_edited=True))
    seq: dict[str, int] = {}
    rows = conn.execute(sa.select(cards.c.id, cards.c.published_at)
                        .where(cards.c.published_at.is_not(None))
                        .order_by(cards.c.published_at, cards.c.id)).all()
    for card_id, published_at in rows:
        year = str(published_at)[:4]
        seq[year] = seq.get(year, 0) + 1
        conn.execute(cards.update().where(cards.c.id == card_id)
                     .values(number=f"XQ-{year}-{seq[year]:04d}"))
    finding.backfill_name_keys(conn, hash_key=str(current_app.config.get("PERSON_HASH_KEY",
                                                                          "unset")))


def downgrade():
    op.drop_index(op.f('ix_need_cards_number'), table_name='need_cards')
    op.drop_column('need_cards', 'title_edited')
    op.drop_column('need_cards', 'level')
    op.drop_column('need_cards', 'number')
    op.drop_index(op.f('ix_applicants_name_key'), table_name='applicants')
    op.drop_column('applicants', 'name_key')

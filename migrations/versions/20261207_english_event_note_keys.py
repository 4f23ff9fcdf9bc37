"""case_events.note_key / note_params: timeline notes the system words, shown in the
reader's language; notes written before are converted where their wording is known

Revision ID: english0001nk
Revises: speed0001dv01
Create Date: 2026-12-07 20:30:00

"""
import json
import re

import sqlalchemy as sa
from alembic import op

revision = 'english0001nk'
down_revision = 'speed0001dv01'
branch_labels = None
depends_on = None

# (action, pattern of the stored note, key, typed part, values): the wordings of
# webapp/services before the keys (webapp/services/cases/notes.py keeps them as messages).
KNOWN = (
    ("refuse", r"(?P<text>.*)；已转介：(?P<referred>.*)", "refused", ("referred",)),
    ("emergency_aid", r"先行救助 (?P<amount>[\d.]+) 元", "emergency_aid", ("amount",)),
    ("approve", r"批准救助 (?P<amount>[\d.]+) 元", "approved", ("amount",)),
    ("transfer", r"转办至(?P<departments>[^：]*)：(?P<text>.*)", "transferred", ("departments",)),
    ("transfer_answer", r"(?P<department>[^：]*)答复：(?P<text>.*)", "transfer_answered",
     ("department",)),
    ("handover", r"移交给 (?P<owner>[^：]*)：(?P<text>.*)", "handed_over_note", ("owner",)),
    ("handover", r"移交给 (?P<owner>[^：]*)", "handed_over", ("owner",)),
    ("appeal", r"申请人申请复核", "appeal_by_applicant", ()),
    ("appeal", r"窗口代为申请复核", "appeal_by_window", ()),
    ("order_issue", (r"督办单 #(?P<order>\d+) 发往(?P<recipient>.*?)，请于 (?P<due>[\d-]+) 前答复："
                     r"(?P<text>.*)"), "order_issued", ("order", "recipient", "due")),
    ("order_reply", r"督办单 #(?P<order>\d+) 答复：(?P<text>.*)", "order_replied", ("order",)),
    ("order_close", r"督办单 #(?P<order>\d+) 办结", "order_closed", ("order",)),
    ("order_escalate", (r"督办单 #(?P<order>\d+) 逾期 (?P<days>\d+) 个工作日未答复，"
                        r"由“(?P<before>[^”]*)”升级为“(?P<after>[^”]*)”"), "order_escalated",
     ("order", "days", "before", "after")),
)


def converted(action, note):
    """(note, key, values) for a stored note of a known wording, else None."""
    for known_action, pattern, key, names in KNOWN:
        if action != known_action:
            continue
        match = re.fullmatch(pattern, note or "", flags=re.DOTALL)
        if match is None:
            continue
        values = {n: match.group(n) for n in names}
        if "departments" in values:
            values["departments"] = values["departments"].split("、")
        text = match.groupdict().get("text") or ""
        return text, key, values
    return None


def upgrade():
    with op.batch_alter_table('case_events') as batch:
        batch.add_column(sa.Column('note_key', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('note_params', sa.JSON(), nullable=True))
    events = sa.table('case_events', sa.column('id', sa.Integer), sa.column('action', sa.String),
                      sa.column('note', sa.Text), sa.column('note_key', sa.String),
                      sa.column('note_params', sa.JSON))
    connection = op.get_bind()
    actions = sorted({k[0] for k in KNOWN})
    rows = connection.execute(sa.select(events.c.id, events.c.action, events.c.note)
                              .where(events.c.action.in_(actions))).all()
    for row in rows:
        found = converted(row.action, row.note)
        if found is not None:
            text, key, values = found
            connection.execute(events.update().where(events.c.id == row.id).values(
                note=text, note_key=key, note_params=values))


def downgrade():
    events = sa.table('case_events', sa.column('id', sa.Integer), sa.column('note', sa.Text),
                      sa.column('note_key', sa.String), sa.column('note_params', sa.JSON))
    connection = op.get_bind()
    from webapp.services.cases.notes import render
    for row in connection.execute(sa.select(events.c.id, events.c.note, events.c.note_key,
                                            events.c.note_params)
                                  .where(events.c.note_key.is_not(None))).all():
        params = row.note_params if isinstance(row.note_params, dict) else json.loads(
            row.note_params or "{}")
        connection.execute(events.update().where(events.c.id == row.id).values(
            note=render(row.note_key, params, row.note)))
    with op.batch_alter_table('case_events') as batch:
        batch.drop_column('note_params')
        batch.drop_column('note_key')

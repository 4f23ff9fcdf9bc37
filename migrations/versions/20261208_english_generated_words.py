"""need_cards.words / notifications.words: what the system's generated words (a need's title,
household and age band; an inbox message) are made of, as codes and message keys, so that
each reader reads them in their own language; existing rows are converted where their
wording is known

Revision ID: english0002words
Revises: web0001idx01
Create Date: 2026-12-08 00:20:00

A need card's words come from a small fixed vocabulary (webapp.privacy.publishing.card): the
stored Chinese is read back into codes once, here. A card whose words are not of that
vocabulary, and an officer's own title, keep no codes and are shown as stored. Inbox messages
of the wordings webapp/services wrote before the keys (webapp/services/cases/notices.py keeps
them as messages) get their key and values; a need's title in one is linked to the need's
codes through its number.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = 'english0002words'
down_revision = 'web0001idx01'
branch_labels = None
depends_on = None

# Case category → the card category (webapp.services.needs.CARD_CATEGORY).
CARD_CATEGORY = {"serious_illness": "medical", "accident": "accident", "traffic": "accident",
                 "fire": "fire", "disaster": "disaster", "emergency": "other", "other": "other"}
MEMBERS = {"重病患者": "serious_illness", "残疾人": "disability", "未成年子女": "minor",
           "老年人": "elderly"}
STATUS = {"低保家庭": "dibao", "特困供养人员": "tekun"}
FLAG_ORDER = ("serious_illness", "disability", "minor", "elderly", "dibao", "tekun")


def age_code(band):
    if not band:
        return None
    if band == "未成年":
        return "minor"
    if band == "60岁以上":
        return "60+"
    found = re.fullmatch(r"(\d+-\d+)岁", band)
    return found.group(1) if found else False


def flags_of(household):
    """The flags of a stored household situation, None when not shown, False when unknown."""
    if not household:
        return None
    if household == "家庭遭遇突发困难":
        return []
    flags = []
    for part in household.split("；"):
        if part.startswith("家中有"):
            members = part[3:].split("、")
            if not all(m in MEMBERS for m in members):
                return False
            flags += [MEMBERS[m] for m in members]
        elif part in STATUS:
            flags.append(STATUS[part])
        else:
            return False
    return [f for f in FLAG_ORDER if f in flags]


def card_words(row):
    """The codes of a stored card, or None when a word is not of the vocabulary."""
    from webapp.privacy.publishing import card
    age, flags = age_code(row.age_band), flags_of(row.household)
    if age is False or flags is False:
        return None
    head = (row.title or "").split("，")[0]
    events = {word: code for code, word in card.EVENTS.items()}
    words = {"category": CARD_CATEGORY.get(row.category, "other"), "event": events.get(head),
             "age": age, "flags": flags, "size": None}
    if not row.title_edited:
        # Titles published before titles named no amount end with one ('…急需医疗费用50,000元').
        amount = re.search(r"急需\w+?([\d,]+(?:\.\d+)?)元$", row.title or "")
        if amount:
            words["amount"] = amount.group(1)
        for form in ("full", "short"):
            if card.title_of_words({**words, "title": form}) == row.title:
                words["title"] = form
                break
    return words


# key → pattern of the stored text (the wordings of webapp/services before the keys).
NOTICES = {
    "match_approved": r"「(?P<listing>.*)」有一项新的匹配待您确认",
    "match_approved_body": (r"需求 (?P<need>\S+)「(?P<title>.*)」：(?P<value>\S+) (?P<unit>\S+)。"
                            r"请在「资源对接」中接受或婉拒。"),
    "match_accepted": r"需求 (?P<need>\S+) 的匹配建议 #(?P<id>\d+)已被资源方接受",
    "match_declined": r"需求 (?P<need>\S+) 的匹配建议 #(?P<id>\d+)被资源方婉拒",
    "match_cancelled": r"需求 (?P<need>\S+) 的匹配 #(?P<id>\d+) 已取消：(?P<reason>.*)",
    "match_cancelled_body": r"无需再对接该需求。",
    "order_replied": r"督办单 #(?P<id>\d+)（(?P<number>[^）]*)）已答复",
    "order_closed": r"督办单 #(?P<id>\d+)（(?P<number>[^）]*)）已办结",
    "order_issued": r"【(?P<level>[^】]*)】督办单 #(?P<id>\d+)：个案 (?P<number>\S+)",
    "order_issued_lead": r"【(?P<level>[^】]*)】督办单 #(?P<id>\d+)：线索 (?P<number>\S+)",
    "order_issued_body": r"请于 (?P<due>[\d-]+) 前答复。(?P<text>.*)",
    "overdue": r"个案 (?P<number>\S+) 的「(?P<step>[^」]*)」已超期",
    "overdue_body": r"应于 (?P<due>[\d-]+) 前完成。",
    "transfer": r"新的转办个案 (?P<number>\S+)",
    "transfer_body": r"请于 (?P<due>[\d-]+) 前答复。",
    "transfer_answer": r"个案 (?P<number>\S+) 已收到部门答复",
    "handover": r"个案 (?P<number>\S+) 已移交给您承办",
    "escalated": r"个案 (?P<number>\S+) 已提交联席会议",
    "decision": r"个案 (?P<number>\S+) (?P<decision>已批准救助|决定不予救助)",
    "appeal": r"复核申请：个案 (?P<number>\S+)",
    "lead": r"新线索 (?P<number>\S+)",
    "lead_body": r"请于 (?P<due>[\d-]+) 前首次联系。",
    "lead_resolved": r"您报告的线索 (?P<number>\S+)：(?P<outcome>.*)",
}
TITLE_KEYS = ("match_approved", "match_accepted", "match_declined", "match_cancelled",
              "order_replied", "order_closed", "order_issued", "order_issued_lead", "overdue",
              "transfer",
              "transfer_answer", "handover", "escalated", "decision", "appeal", "lead",
              "lead_resolved")
BODY_KEYS = ("match_approved_body", "match_cancelled_body", "order_issued_body", "overdue_body",
             "transfer_body", "lead_body")


def notice_words(text, keys, needs):
    """{"key", "params"} of a stored message of a known wording, else None."""
    for key in keys:
        found = re.fullmatch(NOTICES[key], text or "", flags=re.DOTALL)
        if found is None:
            continue
        params = found.groupdict()
        if "title" in params:
            params["title"] = {"need_title": params["title"], "words": needs.get(params["need"])}
        return {"key": key, "params": params}
    return None


def upgrade():
    with op.batch_alter_table('need_cards') as batch:
        batch.add_column(sa.Column('words', sa.JSON(), nullable=True))
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('words', sa.JSON(), nullable=True))
    cards = sa.table('need_cards', sa.column('id', sa.Integer), sa.column('number', sa.String),
                     sa.column('title', sa.String), sa.column('category', sa.String),
                     sa.column('age_band', sa.String), sa.column('household', sa.String),
                     sa.column('title_edited', sa.Boolean), sa.column('words', sa.JSON))
    connection = op.get_bind()
    needs = {}
    for row in connection.execute(sa.select(cards)).all():
        words = card_words(row)
        if words is not None:
            connection.execute(cards.update().where(cards.c.id == row.id).values(words=words))
            needs[row.number or f"#{row.id}"] = words
    notes = sa.table('notifications', sa.column('id', sa.Integer), sa.column('title', sa.String),
                     sa.column('body', sa.String), sa.column('words', sa.JSON))
    for row in connection.execute(sa.select(notes.c.id, notes.c.title, notes.c.body)).all():
        title = notice_words(row.title, TITLE_KEYS, needs)
        if title is None:
            continue
        body = notice_words(row.body, BODY_KEYS, needs) if row.body else None
        connection.execute(notes.update().where(notes.c.id == row.id).values(
            words={"title": title, "body": body}))


def downgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('words')
    with op.batch_alter_table('need_cards') as batch:
        batch.drop_column('words')

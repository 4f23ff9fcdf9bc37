"""What each role reads, page after page, on the demo data: no stored code in the Chinese
interface, and no Chinese in the English one except what people typed in.

One demo load serves every role (loading it is most of the cost); each role's crawl is
bounded (``LIMIT`` pages, two per URL shape)."""
import re

from sqlalchemy import String, Text, select

from tests.webapp.screens.crawl import crawl, stored_codes
from webapp.models import Applicant, HouseholdMember
from webapp.models.encrypted import EncryptedText
from webapp.privacy.detection.spans import PLACEHOLDERS

ROLES = ["officer", "intake", "dept", "charity", "fundmgr", "volunteer", "donor", "auditor",
         "admin", None]
LIMIT = 30
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]+")
# A masked name keeps what the applicant's name starts with: 王**.
MASKED = re.compile(r"[\u3400-\u9fff]\*+")
# The language menu names Chinese in Chinese, as every bilingual site does.
ENDONYMS = ("简体中文",)
# Words the system writes in Chinese and shows in the reader's language
# (webapp/generated_words.py): not typed in, so English pages must not show them.
GENERATED = {("need_cards", "household"), ("need_cards", "age_band"), ("notifications", "title"),
             ("notifications", "body")}
# A need's title is generated unless an officer typed it (title_edited): only typed ones count.
TYPED_ONLY = {("need_cards", "title"): "title_edited"}


def _stored_text(db) -> list[str]:
    """Every stored Chinese string (what people typed in: names, stories, titles …),
    longest first so that a title is removed before a word inside it."""
    found: set[str] = set()
    # A story is shown redacted: the names the case knows give way to placeholders, so the
    # pieces between them are what a person reads of it.
    names = {n for model in (Applicant, HouseholdMember) for n in db.session.scalars(
        select(model.name)) if n}
    around_names = re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True)))
                              or "(?!)")
    for table in db.metadata.sorted_tables:
        # Sealed columns (EncryptedText) hold what people typed in too: names, what happened.
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, EncryptedText))
                   and not c.name.endswith(("_hash", "_enc", "_cipher"))
                   and (table.name, c.name) not in GENERATED]
        for column in columns:
            stmt = select(column).where(column.is_not(None))
            if (table.name, column.name) in TYPED_ONLY:
                stmt = stmt.where(table.c[TYPED_ONLY[(table.name, column.name)]].is_(True))
            for value in db.session.scalars(stmt):
                if isinstance(value, str) and HAN.search(value):
                    found.add(value.strip())
                    found.update(p.strip() for p in re.split(r"[,\n]", value) if HAN.search(p))
                    found.update(p.strip() for p in around_names.split(value) if HAN.search(p))
    return sorted(found, key=len, reverse=True)


# Read first by every role (a page the role may not open answers 403 and is passed over):
# the pages of the doors, leads, windows, orders, statistics, rules, complaints and person
# data, which a crawl from the dashboard might not reach within LIMIT.
FIRST = ["/apply", "/status", "/windows", "/leads", "/cases/orders", "/statistics/",
         "/rules/", "/supervision/complaints", "/complaints/new", "/person-data/", "/appeals",
         "/cases/notifications"]


def _start(username) -> list[str]:
    return ["/dashboard" if username else "/home", *FIRST]


def _pages(client, auth, username):
    client.get("/lang/zh_CN")
    if username:
        auth.login(username)
    return crawl(client, _start(username), limit=LIMIT)


def test_no_codes_in_chinese_and_no_chinese_in_english(db, small_demo, app):
    from tests.conftest import AuthActions
    codes = re.compile(r"(?<![\w@./:#-])(" + "|".join(sorted(stored_codes(), key=len,
                                                               reverse=True)) + r")(?![\w])")
    stored = _stored_text(db)
    raw_codes, chinese = {}, {}
    for username in ROLES:
        client = app.test_client()
        auth = AuthActions(client)
        pages = 0
        for path, text in _pages(client, auth, username):
            pages += 1
            if path.startswith("/admin/users"):  # usernames are chosen by people ("charity")
                continue
            hits = sorted({m.group(1) for m in codes.finditer(text)})
            if hits:
                raw_codes[f"{username} {path}"] = hits
        assert pages >= 4, username

        client.get("/lang/en")
        for path, text in crawl(client, _start(username), limit=LIMIT):
            for own in (*stored, *ENDONYMS):
                if own in text:
                    text = text.replace(own, " ")
            text = MASKED.sub(" ", text)
            for placeholder in PLACEHOLDERS.values():
                text = text.replace(placeholder, " ")
            left = sorted(set(HAN.findall(text)))
            if left:
                chinese[f"{username} {path}"] = left[:8]
        client.get("/lang/zh_CN")
    assert raw_codes == {}
    assert chinese == {}

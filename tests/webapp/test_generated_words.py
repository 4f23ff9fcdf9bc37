"""What the system words and stores (timeline notes, a card's household and bands, the kinds
of personal data it found) reads in the viewer's language; typed text stays as typed."""
import importlib.util
from decimal import Decimal
from pathlib import Path

from flask import session
from flask_babel import refresh
from sqlalchemy import select

from tests.webapp.test_english_errors import english  # noqa: F401  (fixture)
from webapp import generated_words
from webapp.models import CaseEvent, Notification
from webapp.privacy.detection.spans import PLACEHOLDERS, Span
from webapp.privacy.publishing import card
from webapp.services import DomainError
from webapp.services.cases import notes
from webapp.services.needs import PII_LABELS, _describe

MIGRATION = Path(__file__).parents[2] / "migrations/versions/20261207_english_event_note_keys.py"


def _in(app, lang):
    context = app.test_request_context("/")
    context.push()
    session["lang"] = lang
    refresh()  # the locale is kept for the app context, which the tests share
    return context


def test_vocabularies_cover_what_the_card_and_detector_write():
    assert set(card._MEMBERS.values()) | set(card._STATUS.values()) | {card.NO_SITUATION} \
        <= set(generated_words.HOUSEHOLD_WORDS)
    assert {k: f"【{v}】" for k, v in PII_LABELS.items()} == PLACEHOLDERS


def test_household_and_bands_in_english_and_chinese(english):  # noqa: F811
    stored = card.household_situation({"serious_illness", "minor", "dibao"})
    context = _in(english, "en")
    try:
        assert generated_words.household_text(stored) == (
            "Household includes: Seriously ill, Minor child; Minimum-living-allowance (dibao) household")
        assert generated_words.band_text("40-49岁") == "aged 40-49"
        assert generated_words.band_text("2-3人") == "2-3 person(s)"
        assert generated_words.household_text("家中有邻居") == "家中有邻居"  # unknown: as stored
    finally:
        context.pop()
    context = _in(english, "zh_CN")
    try:
        assert generated_words.household_text(stored) == stored
        assert generated_words.band_text("40-49岁") == "40-49岁"
    finally:
        context.pop()


def test_timeline_notes_are_keyed_and_read_in_the_viewers_language(english, db,  # noqa: F811
                                                                    reported_case, funded_reserve):
    case = reported_case(actions=["accept", "emergency_aid", "transfer"])
    rows = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.id)).all()
    aid, transfer = rows[-2], rows[-1]
    assert (aid.note_key, aid.note) == ("emergency_aid", "")
    assert (transfer.note_key, transfer.note) == ("transferred", "请落实教育救助")
    context = _in(english, "en")
    try:
        assert generated_words.event_note(aid) == "Emergency aid of ¥2000.00"
        assert generated_words.event_note(transfer).startswith("Transferred to 高唐县教育和体育局: ")
        told = db.session.scalars(select(Notification).where(
            Notification.kind == "transfer", Notification.case_id == case.id)).first()
        assert generated_words.notice_text(told.title) == f"New transferred case {case.number}"
        assert generated_words.notice_text(told.body).startswith("Please reply by 20")
        assert generated_words.notice_text("随便写的话") == "随便写的话"
        old = CaseEvent(action="verify", note="入户核查属实")
        assert generated_words.event_note(old) == "入户核查属实"  # typed or older: as stored
    finally:
        context.pop()
    assert notes.render(aid.note_key, aid.note_params, aid.note) == "先行救助 2000.00 元"


def test_migration_converts_the_known_wordings_of_older_notes():
    spec = importlib.util.spec_from_file_location("note_keys", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for action, note in [("emergency_aid", "先行救助 2000.00 元"),
                         ("transfer", "转办至高唐县教育和体育局、县医保局：请落实教育救助"),
                         ("handover", "移交给 张三：休假"),
                         ("order_escalate", "督办单 #4 逾期 3 个工作日未答复，由“提醒”升级为“督办”"),
                         ("refuse", "不属于急难范围；已转介：县医保局")]:
        text, key, values = migration.converted(action, note)
        assert notes.render(key, values, text) == note
    assert migration.converted("verify", "入户核查属实") is None


def test_personal_data_kinds_in_the_publish_error_are_translated(english):  # noqa: F811
    found = [Span(0, 1, "phone", "1", 1.0), Span(2, 3, "name", "王", 1.0)]
    error = DomainError("标题或说明中仍含有个人信息（%(kinds)s），请删除后再发布",
                        kinds=_describe(found))
    context = _in(english, "en")
    try:
        assert "Mobile number; Name" in error.message
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in error.message)
    finally:
        context.pop()



def test_generated_need_title_reads_in_english_and_an_officers_title_stays(english):  # noqa: F811
    from types import SimpleNamespace
    assert set(card.EVENT_WORDS) | {c for _l, c in card.CATEGORIES.values()} \
        | set(card._NEEDS.values()) <= set(generated_words.TITLE_WORDS)
    facts = card.CaseFacts(category="medical", town="梁村镇", county_name="高唐县", age=45,
                           flags=frozenset({"minor"}), household_size=3,
                           amount_needed=Decimal(50000), urgency=3,
                           days_waiting=1, description="患者确诊白血病，需要化疗。",
                           known_names=())
    built = card.build_card(facts)
    generated = SimpleNamespace(title=built.title, title_edited=False)
    context = _in(english, "en")
    try:
        assert generated_words.need_title(generated) == (
            "Leukaemia; applicant aged 40-49; Household includes: Minor child; "
            "urgently needs medical costs")
        # a title published before titles named no amount still reads in English
        older = SimpleNamespace(title=built.title + "50,000元", title_edited=False)
        assert generated_words.need_title(older) == (
            "Leukaemia; applicant aged 40-49; Household includes: Minor child; "
            "urgently needs medical costs ¥50,000")
        edited = SimpleNamespace(title=built.title, title_edited=True)
        assert generated_words.need_title(edited) == built.title
    finally:
        context.pop()

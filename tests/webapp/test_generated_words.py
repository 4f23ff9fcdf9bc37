"""What the system words and stores (timeline notes, a card's household and bands, the kinds
of personal data it found) reads in the viewer's language; typed text stays as typed."""
import importlib.util
from dataclasses import replace
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
from webapp.services.cases import notes, notices
from webapp.services.needs import PII_LABELS, _describe

MIGRATION = Path(__file__).parents[2] / "migrations/versions/20261207_english_event_note_keys.py"
WORDS_MIGRATION = Path(__file__).parents[2] / "migrations/versions/20261208_english_generated_words.py"


def _in(app, lang):
    context = app.test_request_context("/")
    context.push()
    session["lang"] = lang
    refresh()  # the locale is kept for the app context, which the tests share
    return context


def test_the_catalogue_lists_every_word_of_the_card():
    assert set(card.EVENT_WORDS) | {c for _l, c in card.CATEGORIES.values()} \
        | set(card._NEEDS.values()) | set(card._MEMBERS.values()) | set(card._STATUS.values()) \
        | {card.NO_SITUATION, card.MINOR_BAND, card.ELDERLY_BAND, "6人及以上"} \
        == set(generated_words.CARD_WORDS)


def test_personal_data_labels_match_the_placeholders():
    assert {k: f"【{v}】" for k, v in PII_LABELS.items()} == PLACEHOLDERS


def _leukaemia_card(**changes):
    facts = card.CaseFacts(category="medical", town="梁村镇", county_name="高唐县", age=45,
                           flags=frozenset({"minor", "serious_illness", "dibao"}),
                           household_size=3, amount_needed=Decimal(50000), urgency=3,
                           days_waiting=1, description="患者确诊白血病，需要化疗。",
                           known_names=())
    return card.build_card(replace(facts, **changes))


def test_card_words_write_the_same_chinese_as_the_card_at_every_level():
    for changes in ({}, {"age": 8, "flags": frozenset()}, {"age": 70, "household_size": 7},
                    {"age": None, "description": "房屋失火"}, {"category": "fire"}):
        built = _leukaemia_card(**changes)
        for level in range(card.MAX_LEVEL + 1):
            wide = card.generalize(built, level)
            words = card.card_words(wide)
            assert words["title"] == "full"
            assert card.title_of_words(words) == wide.title
            assert card.band_of_range(wide.age_range) == wide.age_band
            assert card.size_band_of_range(wide.size_range) == wide.household_size_band
            assert (card.household_situation(wide.flags) if wide.flags is not None
                    else None) == wide.household
    built = _leukaemia_card()
    short = replace(built, title="重大疾病，急需医疗费用")
    assert card.card_words(short)["title"] == "short"
    assert "title" not in card.card_words(replace(built, title="一位母亲的求助"))


def test_household_and_bands_in_english_and_chinese(english):  # noqa: F811
    from types import SimpleNamespace
    built = _leukaemia_card()
    need = SimpleNamespace(words=card.card_words(built), household=built.household,
                           age_band=built.age_band, household_size_band=None)
    context = _in(english, "en")
    try:
        assert generated_words.household_text(need) == (
            "Household includes: Seriously ill, Minor child; Minimum-living-allowance (dibao) household")
        assert generated_words.band_text(need) == "aged 40-49"
        assert generated_words.size_text(built) == "2-3 person(s)"
        assert generated_words.household_text(card.generalize(built, 1)) == ""  # not shown
        older = SimpleNamespace(words=None, household="家中有邻居", age_band="40-49岁")
        assert generated_words.household_text(older) == "家中有邻居"  # no codes: as stored
    finally:
        context.pop()
    context = _in(english, "zh_CN")
    try:
        assert generated_words.household_text(need) == built.household
        assert generated_words.band_text(need) == "40-49岁"
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
        assert generated_words.notice_title(told) == f"New transferred case {case.number}"
        assert generated_words.notice_body(told).startswith("Please reply by 20")
        typed = Notification(title="随便写的话", body="", words=None)
        assert generated_words.notice_title(typed) == "随便写的话"
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
    built = _leukaemia_card(flags=frozenset({"minor"}))
    generated = SimpleNamespace(title=built.title, title_edited=False,
                                words=card.card_words(built))
    context = _in(english, "en")
    try:
        assert generated_words.need_title(generated) == (
            "Leukaemia; applicant aged 40-49; Household includes: Minor child; "
            "urgently needs medical costs")
        older = SimpleNamespace(title=built.title + "50,000元", title_edited=False,
                                words={**generated.words, "amount": "50,000"})
        assert generated_words.need_title(older) == (
            "Leukaemia; applicant aged 40-49; Household includes: Minor child; "
            "urgently needs medical costs ¥50,000")
        edited = SimpleNamespace(title=built.title, title_edited=True, words=generated.words)
        assert generated_words.need_title(edited) == built.title
        uncoded = SimpleNamespace(title=built.title, title_edited=False, words=None)
        assert generated_words.need_title(uncoded) == built.title
    finally:
        context.pop()
    context = _in(english, "zh_CN")
    try:
        assert generated_words.need_title(generated) == built.title
        assert generated_words.need_title(older) == older.title
    finally:
        context.pop()


def test_migration_reads_stored_cards_and_messages_into_codes():
    from types import SimpleNamespace
    spec = importlib.util.spec_from_file_location("words", WORDS_MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    built = _leukaemia_card()
    row = SimpleNamespace(title=built.title, category="serious_illness", age_band=built.age_band,
                          household=built.household, title_edited=False)
    words = migration.card_words(row)
    assert words == {**card.card_words(built), "size": None}
    older = migration.card_words(SimpleNamespace(**{**vars(row), "title": built.title + "8,000元"}))
    assert card.title_of_words(older) == built.title + "8,000元"
    assert migration.card_words(SimpleNamespace(**{**vars(row), "household": "家中有邻居"})) is None
    assert "title" not in migration.card_words(SimpleNamespace(**{**vars(row), "title_edited": True}))
    needs = {"XQ-2026-0001": words}
    for key, text in [("match_approved_body", (f"需求 XQ-2026-0001「{built.title[:40]}」：8,000.00 元。"
                       "请在「资源对接」中接受或婉拒。")),
                      ("order_issued_lead", "【督办】督办单 #3：线索 XS-2026-0004"),
                      ("transfer", "新的转办个案 GT-2026-000303")]:
        keys = migration.TITLE_KEYS if key in migration.TITLE_KEYS else migration.BODY_KEYS
        found = migration.notice_words(text, keys, needs)
        assert found["key"] == key
        assert notices.Notice(key, **found["params"]).chinese() == text
    assert migration.notice_words("随便写的话", migration.TITLE_KEYS, needs) is None


def test_an_inbox_message_with_a_needs_title_reads_in_english(english):  # noqa: F811
    from types import SimpleNamespace
    built = _leukaemia_card()
    need = SimpleNamespace(title=built.title, words=card.card_words(built))
    body = notices.Notice("match_approved_body", need="XQ-2026-0001",
                          title=notices.need_title(need), value="8,000.00", unit="元")
    title = notices.Notice("match_approved", listing="爱心助医项目")  # a listing's typed title
    assert body.chinese().startswith(f"需求 XQ-2026-0001「{built.title[:40]}」：8,000.00 元。")
    told = Notification(title=title.chinese(), body=body.chinese(),
                        words={"title": title.words, "body": body.words})
    context = _in(english, "en")
    try:
        shown = generated_words.notice_body(told)
        assert "Leukaemia; applicant aged 40-49" in shown
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in shown)
        assert "爱心助医项目" in generated_words.notice_title(told)  # typed: as typed
        assert not any("\u4e00" <= ch <= "\u9fff"
                       for ch in generated_words.notice_title(told).replace("爱心助医项目", ""))
    finally:
        context.pop()
    context = _in(english, "zh_CN")
    try:
        assert generated_words.notice_body(told) == told.body
    finally:
        context.pop()

"""Self-application and status lookup: codes random, hashed, expiring, single-use, a few
attempts each; floods refused per phone and per address; a wrong phone learns nothing."""
import dataclasses
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from webapp.models import Lead, LeadChannel, OutboundMessage, VerificationCode, utcnow
from webapp.services import DomainError
from webapp.services.consent import ConsentInput
from webapp.services.doors import codes, self_service
from webapp.services.doors.leads import LeadInput


def _start(session, data, **kwargs):
    """Start an application whose applicant ticked the notice in force (version 1)."""
    return self_service.start_application(session, data, consent=ConsentInput(1, True, "online"),
                                          **kwargs)


@pytest.fixture
def application(staff, consent_notice):
    def build(phone="13700001111", town="梁村镇", **extra):
        return LeadInput(name="周玉梅", town_id=staff["org"](town).id, phone=phone,
                         address="梁村镇李楼村 5 号", description="丈夫车祸住院，家里没有收入了。",
                         **extra)
    return build


def _code_in(texts: list[str]) -> str:
    return re.search(r"验证码(\d{6})", texts[-1]).group(1)


def test_apply_sends_a_code_and_the_confirmed_application_becomes_a_lead(
        db, application, door_settings, settings, outbox_texts):
    ticket = _start(db.session, application(), address="10.0.0.1", settings=door_settings)
    db.session.commit()
    code = _code_in(outbox_texts("13700001111"))
    row = db.session.scalars(select(VerificationCode).where(
        VerificationCode.ticket == ticket)).one()
    assert code not in row.code_hash and len(row.code_hash) == 64  # only a keyed hash is kept
    lead = self_service.confirm_application(db.session, ticket, code, settings=door_settings,
                                            case_settings=settings)
    db.session.commit()
    assert lead.channel is LeadChannel.ONLINE and lead.reporter_id is None
    assert lead.name == "周玉梅" and lead.town.name == "梁村镇"
    assert f"编号{lead.number}" in outbox_texts("13700001111")[-1]
    with pytest.raises(DomainError, match="验证码已失效"):  # single use
        self_service.confirm_application(db.session, ticket, code, settings=door_settings,
                                         case_settings=settings)


def test_a_guessed_code_is_counted_and_locks_the_ticket(db, application, door_settings,
                                                        settings, outbox_texts):
    ticket = _start(db.session, application(), address="10.0.0.2", settings=door_settings)
    db.session.commit()
    code = _code_in(outbox_texts("13700001111"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in range(door_settings.code_max_attempts - 1, 0, -1):
        with pytest.raises(codes.WrongCodeError, match=f"还可以再试 {left} 次"):
            self_service.confirm_application(db.session, ticket, wrong,
                                             settings=door_settings, case_settings=settings)
        db.session.commit()
    with pytest.raises(codes.WrongCodeError, match="输错次数太多"):
        self_service.confirm_application(db.session, ticket, wrong, settings=door_settings,
                                         case_settings=settings)
    db.session.commit()
    with pytest.raises(DomainError, match="输错次数太多"):  # even the right code now
        self_service.confirm_application(db.session, ticket, code, settings=door_settings,
                                         case_settings=settings)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_an_expired_code_is_refused(db, application, door_settings, settings, outbox_texts):
    then = utcnow() - dt.timedelta(minutes=door_settings.code_ttl_minutes + 1)
    ticket = _start(db.session, application(), address="10.0.0.3",
                                            settings=door_settings, now=then)
    db.session.commit()
    with pytest.raises(DomainError, match="验证码已失效"):
        self_service.confirm_application(db.session, ticket, _code_in(outbox_texts(
            "13700001111")), settings=door_settings, case_settings=settings)


def test_a_flood_from_one_phone_is_refused_with_a_clear_message(db, application,
                                                                door_settings):
    for i in range(door_settings.codes_per_phone_per_hour):
        _start(db.session, application(), address=f"10.0.1.{i}", settings=door_settings)
    db.session.commit()
    sent = db.session.scalar(select(func.count()).select_from(OutboundMessage))
    with pytest.raises(codes.FloodError, match="这个手机号码在一小时内获取验证码的次数太多"):
        _start(db.session, application(), address="10.0.1.99", settings=door_settings)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == sent


def test_a_flood_from_one_address_is_refused(db, application, door_settings):
    small = dataclasses.replace(door_settings, codes_per_address_per_hour=3)
    for i in range(3):
        _start(db.session, application(phone=f"1370000200{i}"),
                                       address="10.0.2.1", settings=small)
    with pytest.raises(codes.FloodError, match="从您所在的网络提交的次数太多"):
        _start(db.session, application(phone="13700002009"),
                                       address="10.0.2.1", settings=small)


def test_an_application_for_a_town_that_does_not_exist_sends_no_code(db, application,
                                                                     door_settings):
    data = application()
    data.town_id = 999999
    with pytest.raises(DomainError) as caught:
        _start(db.session, data, address="10.0.0.4", settings=door_settings)
    assert "town_id" in caught.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(VerificationCode)) == 0


def test_lookup_with_the_right_phone_shows_the_step_window_and_due_date(
        db, filed_lead, door_settings, outbox_texts):
    lead = filed_lead(None, phone="13700003333")
    ticket = self_service.start_lookup(db.session, lead.number, "137 0000 3333",
                                       address="10.0.0.5", settings=door_settings)
    db.session.commit()
    number = self_service.confirm_lookup(db.session, ticket,
                                         _code_in(outbox_texts("13700003333")),
                                         settings=door_settings)
    view = self_service.status_of(db.session, number, settings=door_settings)
    assert view.step == "已收到申请，等待受理窗口与您联系"
    assert view.window == "梁村镇受理窗口" and view.due_on == lead.due_on
    assert view.bring and not view.can_appeal


def test_lookup_with_a_wrong_phone_discloses_nothing(db, filed_lead, door_settings):
    lead = filed_lead(None, phone="13700004444")
    sent = db.session.scalar(select(func.count()).select_from(OutboundMessage))
    wrong = self_service.start_lookup(db.session, lead.number, "13700009999",
                                      address="10.0.0.6", settings=door_settings)
    missing = self_service.start_lookup(db.session, "XS-2026-999999", "13700009999",
                                        address="10.0.0.6", settings=door_settings)
    db.session.commit()
    # Same answer shape as a number that does not exist, and no text was sent to anyone.
    assert isinstance(wrong, str) and isinstance(missing, str)
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == sent
    for ticket in (wrong, missing):
        row = db.session.scalars(select(VerificationCode).where(
            VerificationCode.ticket == ticket)).one()
        for guess in ("000000", "123456"):
            with pytest.raises(codes.WrongCodeError) as caught:
                self_service.confirm_lookup(db.session, ticket, guess, settings=door_settings)
            db.session.commit()
            assert "验证码不正确" in str(caught.value)
        assert row.attempts == 2


def test_an_application_needs_the_notice_ticked_and_its_consent_follows_it_to_the_case(
        db, application, door_settings, settings, outbox_texts, staff):
    from tests.factories import make_id
    from webapp.models.consent import ConsentRecord
    from webapp.services.doors import leads

    with pytest.raises(DomainError) as caught:
        self_service.start_application(db.session, application(), address="10.0.0.9",
                                       settings=door_settings,
                                       consent=ConsentInput(1, False, "online"))
    assert "consent" in caught.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(VerificationCode)) == 0
    ticket = _start(db.session, application(), address="10.0.0.9", settings=door_settings)
    db.session.commit()
    lead = self_service.confirm_application(db.session, ticket,
                                            _code_in(outbox_texts("13700001111")),
                                            settings=door_settings, case_settings=settings)
    db.session.commit()
    record = db.session.scalars(select(ConsentRecord)).one()
    assert (record.lead_id, record.method.value, record.recorded_by_id) == (lead.id, "online",
                                                                            None)
    case = leads.convert_lead(db.session, staff["intake"], lead, id_number=make_id("19600101", 41),
                              category="accident", amount_needed="0", case_settings=settings)
    db.session.commit()
    assert db.session.scalars(select(ConsentRecord)).one().case_id == case.id


@pytest.mark.parametrize("on_behalf, name, relation, field", [
    (True, "", "", "consent_proxy_name"),
    (True, "周建华", "", "consent_proxy_relation"),
    (True, "周建华", "boss", "consent_proxy_relation"),
    (False, "周建华", "child", "on_behalf"),
])
def test_an_application_on_behalf_needs_the_applicants_own_name_and_relation(
        db, application, door_settings, on_behalf, name, relation, field):
    with pytest.raises(DomainError) as caught:
        self_service.start_application(
            db.session, application(on_behalf=on_behalf), address="10.0.0.9",
            settings=door_settings,
            consent=ConsentInput(1, True, "online", proxy_name=name, proxy_relation=relation))
    assert field in caught.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(VerificationCode)) == 0


def test_who_applied_on_behalf_is_sealed_on_the_consent_record(
        db, application, door_settings, settings, outbox_texts):
    from sqlalchemy import text

    from webapp.models.consent import ConsentRecord
    ticket = self_service.start_application(
        db.session, application(on_behalf=True), address="10.0.0.9", settings=door_settings,
        consent=ConsentInput(1, True, "online", proxy_name=" 周建华 ", proxy_relation="child"))
    db.session.commit()
    lead = self_service.confirm_application(db.session, ticket,
                                            _code_in(outbox_texts("13700001111")),
                                            settings=door_settings, case_settings=settings)
    db.session.commit()
    db.session.expire_all()
    record = db.session.scalars(select(ConsentRecord)).one()
    assert (record.lead_id, record.proxy_name, record.proxy_relation) == (lead.id, "周建华",
                                                                          "child")
    assert lead.on_behalf
    stored = db.session.execute(text("SELECT proxy_name FROM consent_records")).scalar_one()
    assert "周建华" not in stored

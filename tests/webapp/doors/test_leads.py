"""Leads (线索): filed with the least data, queued at the town window with a working-day
first-contact deadline, turned into a case without retyping or closed with a reason."""
import datetime as dt

import pytest
from sqlalchemy import func, select, text

from tests.factories import make_id
from webapp.models import (
    AuditEvent,
    Case,
    CaseSource,
    CaseStatus,
    Lead,
    LeadStatus,
    Notification,
)
from webapp.services import ConflictError, DomainError, PermissionDeniedError
from webapp.services.consent import ConsentInput
from webapp.services.doors import leads


def test_file_lead_queues_it_at_the_town_window_with_a_working_day_deadline(
        db, filed_lead, staff):
    friday = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)  # Friday 10:00 in Gaotang
    lead = filed_lead("volunteer", now=friday)
    assert lead.number.startswith("XS-2026-") and lead.status is LeadStatus.OPEN
    assert lead.due_on == dt.date(2026, 12, 7)  # the next working day, Monday
    assert lead.town.name == "梁村镇"
    queue = db.session.scalars(leads.queue_stmt(staff["intake"])).all()
    assert lead in queue
    assert lead not in db.session.scalars(leads.queue_stmt(staff["intake2"])).all()
    told = db.session.scalars(select(Notification.title).where(
        Notification.user_id == staff["intake"].id)).all()
    assert f"新线索 {lead.number}" in told


def test_lead_personal_fields_are_sealed_at_rest(db, filed_lead):
    lead = filed_lead("volunteer", name="孙桂兰", phone="13900002222")
    raw = db.session.execute(text("SELECT name, phone, address, description FROM leads "
                                  "WHERE id = :id"), {"id": lead.id}).mappings().one()
    for column in ("name", "phone", "address", "description"):
        assert raw[column].startswith("v"), column
        assert "孙桂兰" not in raw[column] and "13900002222" not in raw[column]


def test_lead_for_a_town_that_does_not_exist_is_refused_and_writes_nothing(
        db, user_named, settings, door_settings):
    before = db.session.scalar(select(func.count()).select_from(Lead))
    data = leads.LeadInput(name="某人", town_id=999999, description="路边有人晕倒，需要帮助。",
                           phone="13900003333")
    with pytest.raises(DomainError) as caught:
        leads.file_lead(db.session, user_named("rescue"), data, settings=door_settings,
                        case_settings=settings)
    assert "请选择所在的镇（街道）" in caught.value.errors["town_id"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Lead)) == before


def test_a_donor_cannot_file_a_lead(db, user_named, staff, settings, door_settings):
    data = leads.LeadInput(name="某人", town_id=staff["org"]("梁村镇").id,
                           description="路边有人晕倒，需要帮助。", phone="13900003333")
    with pytest.raises(PermissionDeniedError):
        leads.file_lead(db.session, user_named("donor"), data, settings=door_settings,
                        case_settings=settings)


def test_convert_lead_makes_an_accepted_case_from_the_lead_without_retyping(
        db, filed_lead, staff, settings, user_named, consent_notice):
    lead = filed_lead("rescue", name="孙桂兰", phone="13900004444")
    case = leads.convert_lead(db.session, staff["intake"], lead, id_number=make_id("19550101", 7),
                              category="serious_illness", amount_needed="3000",
                              consent=ConsentInput(consent_notice.version, True, "read_aloud"),
                              case_settings=settings)
    db.session.commit()
    assert case.status is CaseStatus.ACCEPTED and case.owner_id == staff["intake"].id
    assert case.applicant.name == "孙桂兰" and case.applicant.phone == "13900004444"
    assert case.applicant.address == lead.address and case.town_id == lead.town_id
    assert case.source is CaseSource.RESCUE_STATION  # counted under its channel
    assert lead.status is LeadStatus.CONVERTED and lead.case_id == case.id
    reporter_told = db.session.scalars(select(Notification.title).where(
        Notification.user_id == user_named("rescue").id)).all()
    assert any("已受理，转为个案" in t for t in reporter_told)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "lead.convert")) == 1


def test_convert_lead_with_a_bad_id_number_changes_nothing(db, filed_lead, staff, settings):
    lead = filed_lead("volunteer")
    cases_before = db.session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(DomainError) as caught:
        leads.convert_lead(db.session, staff["intake"], lead, id_number="123",
                           category="serious_illness", amount_needed="0",
                           case_settings=settings)
    assert "applicant.id_number" in caught.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Case)) == cases_before
    assert db.session.get(Lead, lead.id).status is LeadStatus.OPEN


def test_only_the_leads_town_window_may_handle_it(db, filed_lead, staff, settings):
    lead = filed_lead("volunteer", town="梁村镇")
    with pytest.raises(PermissionDeniedError):
        leads.close_lead(db.session, staff["intake2"], lead, reason="duplicate")


def test_close_lead_records_the_reason_the_finder_reads(db, filed_lead, staff):
    lead = filed_lead("volunteer")
    with pytest.raises(DomainError):  # referred needs to say where to
        leads.close_lead(db.session, staff["intake"], lead, reason="referred", note="")
    leads.close_lead(db.session, staff["intake"], lead, reason="referred", note="已转介县残联")
    db.session.commit()
    assert leads.outcome_text(lead) == "已转介其他部门或机构"
    with pytest.raises(ConflictError):
        leads.close_lead(db.session, staff["intake"], lead, reason="duplicate")


def test_late_leads_are_the_open_ones_past_their_first_contact_date(db, filed_lead, staff):
    old = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    late = filed_lead("volunteer", now=old)
    handled = filed_lead("volunteer", now=old, phone="13900005555")
    leads.close_lead(db.session, staff["intake"], handled, reason="duplicate")
    fresh = filed_lead("volunteer", phone="13900006666")
    db.session.commit()
    found = leads.late_leads(db.session, today=dt.date(2026, 12, 7))
    assert late in found and handled not in found and fresh not in found

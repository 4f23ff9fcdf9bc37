"""Retention purges ended cases' personal data, keeps the figures, and never an open case."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from webapp.models import Applicant, AuditEvent, Case, User, utcnow
from webapp.models.cases import TERMINAL_STATUSES
from webapp.privacy.infrastructure.crypto import person_key
from webapp.services import ConflictError, DomainError, audit, ledger, retention
from webapp.services.transparency import county_totals


def _upload(app):
    return app.config["DATA_DIR"] / "uploads"


def _officer(db):
    return db.session.scalars(select(User).where(User.username == "officer")).one()


def _cases(db, *, ended: bool):
    where = Case.status.in_(TERMINAL_STATUSES) if ended else Case.status.not_in(TERMINAL_STATUSES)
    return list(db.session.scalars(select(Case).where(where).order_by(Case.id)))


def _people(cases):
    return {c.id: (c.applicant.name, c.applicant.id_number, c.applicant.phone) for c in cases}


def test_purge_replaces_expired_data_and_keeps_totals_and_chains(app, db, demo_slice):
    ended, still_open = _cases(db, ended=True), _cases(db, ended=False)
    assert ended and still_open
    open_people = _people(still_open)
    totals = county_totals(db.session)
    later = utcnow() + dt.timedelta(days=11 * 365)
    report = retention.purge_expired(db.session, None, retention.RetentionPolicy(),
                                     upload_dir=_upload(app), now=later)
    db.session.commit()
    db.session.expire_all()
    assert report.cases == len(ended)
    for case in _cases(db, ended=True):
        assert case.applicant.name == retention.TOMBSTONE
        assert case.applicant.id_number == "" and case.applicant.phone is None
        assert case.applicant.purged_at is not None
        assert case.description == retention.TOMBSTONE
    assert _people(_cases(db, ended=False)) == open_people
    assert county_totals(db.session) == totals
    assert ledger.verify_ledger(db.session).ok
    assert audit.verify_chain(db.session).ok
    purges = db.session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "retention.purge",
                                      AuditEvent.object_type == "cases"))
    assert purges == len(ended)
    lead_purges = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.action == "retention.purge",
                                           AuditEvent.object_type == "leads"))
    assert lead_purges == report.leads


def test_purge_keeps_each_kind_for_its_own_period(app, db, demo_slice):
    ended = _cases(db, ended=True)
    names = {c.id: c.applicant.name for c in ended}
    later = utcnow() + dt.timedelta(days=4 * 365)  # past contact (3 y), not identity (10 y)
    retention.purge_expired(db.session, None, retention.RetentionPolicy(),
                            upload_dir=_upload(app), now=later)
    db.session.commit()
    db.session.expire_all()
    for case in _cases(db, ended=True):
        assert case.applicant.phone is None and case.applicant.address is None
        assert case.applicant.name == names[case.id]
        assert case.applicant.purged_at is None


def test_purge_of_an_open_case_is_refused_and_changes_nothing(app, db, reported_case):
    case = reported_case(actions=("accept",))
    before = _people([case])
    with pytest.raises(ConflictError):
        retention.purge_case(db.session, None, case, set(retention.KINDS),
                             upload_dir=_upload(app))
    db.session.rollback()
    db.session.expire_all()
    assert _people([db.session.get(Case, case.id)]) == before


def test_policy_refuses_a_negative_period():
    with pytest.raises(ValueError, match="RETENTION_CONTACT_DAYS"):
        retention.RetentionPolicy.from_config({"RETENTION_CONTACT_DAYS": "-5"})


def test_export_holds_the_person_and_their_cases_and_is_audited(app, db, reported_case):
    case = reported_case(actions=("accept",))
    record = retention.export_person(db.session, _officer(db), case.applicant)
    db.session.commit()
    assert record["applicant"]["name"] == case.applicant.name
    assert record["applicant"]["id_number"] == case.applicant.id_number
    assert [c["number"] for c in record["cases"]] == [case.number]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "privacy.export")).one()
    assert case.applicant.name not in event.summary
    assert case.applicant.id_number not in event.summary


def test_correction_rederives_the_person_hash_and_is_audited(app, db, reported_case):
    applicant = reported_case(actions=("accept",)).applicant
    new_id = "371526198001010019"
    changed = retention.correct_person(
        db.session, _officer(db), applicant, {"id_number": new_id, "phone": "13900000000"},
        reason="户口簿更正", hash_key=app.config["PERSON_HASH_KEY"])
    db.session.commit()
    assert changed == ["id_number", "phone"]
    db.session.expire_all()
    fresh = db.session.get(Applicant, applicant.id)
    assert fresh.id_number == new_id
    assert fresh.person_key == person_key(new_id, app.config["PERSON_HASH_KEY"])
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "privacy.correct")).one()
    assert new_id not in event.summary and '"id_number"' in event.summary


def test_correction_with_bad_input_changes_nothing(app, db, reported_case):
    applicant = reported_case(actions=("accept",)).applicant
    before = (applicant.name, applicant.id_number)
    with pytest.raises(DomainError) as refused:
        retention.correct_person(db.session, _officer(db), applicant,
                                 {"id_number": "123", "salary": "x"}, reason="",
                                 hash_key=app.config["PERSON_HASH_KEY"])
    assert set(refused.value.errors) == {"fields", "reason", "id_number"}
    db.session.rollback()
    db.session.expire_all()
    fresh = db.session.get(Applicant, applicant.id)
    assert (fresh.name, fresh.id_number) == before


def test_purge_cli_purges_nothing_that_has_not_expired(app, db, reported_case, runner):
    reported_case(actions=("accept", "start_verification", "withdraw"))
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged 0 case(s)" in result.output


# ---- leads (线索) that never became a case ---------------------------------------------------

def _lead_counts(db):
    from webapp.models import Lead
    return sorted(db.session.execute(select(Lead.status, Lead.channel, func.count())
                                     .group_by(Lead.status, Lead.channel)).all())


def _lead_rows(db):
    from webapp.models import Lead
    db.session.expire_all()
    return {lead.number: lead for lead in db.session.scalars(select(Lead))}


def test_leads_that_never_became_a_case_are_purged_after_their_period(
        app, db, filed_lead, staff, settings, consent_notice, door_settings):
    from tests.factories import make_id
    from webapp.models import Lead, LeadStatus
    from webapp.models.consent import ConsentRecord
    from webapp.models.leads import CodePurpose, MessageStatus, OutboundMessage, VerificationCode
    from webapp.services.consent import ConsentInput
    from webapp.services.doors import codes, leads
    closed = filed_lead(name="孙桂兰", phone="13900001111")
    leads.close_lead(db.session, staff["intake"], closed, reason="referred", note="已转介县残联孙某")
    never = filed_lead(None, name="赵秀英", phone="13900002222")  # online, nobody handled it
    db.session.add(ConsentRecord(notice_id=consent_notice.id, lead_id=never.id, method="online",
                                 proxy_name="赵小军", proxy_relation="child"))
    sent = db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.lead_id == never.id)).one()  # "your application was filed"
    sent.status = MessageStatus.SENT
    became = filed_lead(name="钱玉梅", phone="13900003333")
    leads.convert_lead(db.session, staff["intake"], became, id_number=make_id("19550101", 7),
                       category="serious_illness", amount_needed="3000", case_settings=settings,
                       consent=ConsentInput(consent_notice.version, True, "read_aloud"))
    codes.issue(db.session, purpose=CodePurpose.APPLY, phone="13900002222", address="10.0.0.9",
                payload={"name": "赵秀英"}, settings=door_settings)
    db.session.commit()
    numbers = (closed.number, never.number, became.number)
    counts = _lead_counts(db)
    policy = retention.RetentionPolicy()
    soon = utcnow() + dt.timedelta(days=policy.lead_days - 1)
    early = retention.purge_expired(db.session, None, policy, upload_dir=_upload(app), now=soon)
    assert (early.leads, early.codes) == (0, 0)
    later = utcnow() + dt.timedelta(days=policy.lead_days + 1)
    report = retention.purge_expired(db.session, None, policy, upload_dir=_upload(app), now=later)
    db.session.commit()
    assert report.leads == 2 and report.codes == 1
    assert db.session.scalar(select(func.count()).select_from(VerificationCode)) == 0
    message = db.session.get(OutboundMessage, sent.id)
    assert (message.phone, message.body) == (retention.TOMBSTONE, retention.TOMBSTONE)
    rows = _lead_rows(db)
    for number in numbers[:2]:
        lead = rows[number]
        assert (lead.name, lead.description) == (retention.TOMBSTONE, retention.TOMBSTONE)
        assert lead.phone is None and lead.address is None and lead.phone_key is None
    assert rows[numbers[0]].close_note == retention.TOMBSTONE
    assert rows[numbers[0]].status is LeadStatus.CLOSED
    assert rows[numbers[0]].close_reason.value == "referred"  # the outcome stays
    assert rows[numbers[1]].status is LeadStatus.OPEN
    consent = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.lead_id == rows[numbers[1]].id)).one()
    assert consent.proxy_name == retention.TOMBSTONE and consent.proxy_relation == "child"
    kept = rows[numbers[2]]  # it became a case, whose period has not even started
    assert (kept.name, kept.phone) == ("钱玉梅", "13900003333")
    assert _lead_counts(db) == counts
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "retention.purge", AuditEvent.object_type == "leads")).all()
    assert sorted(e.object_id for e in events) == sorted(
        str(rows[n].id) for n in numbers[:2])
    assert not any("孙" in e.summary or "赵" in e.summary for e in events)
    assert audit.verify_chain(db.session).ok
    again = retention.purge_expired(db.session, None, policy, upload_dir=_upload(app), now=later)
    db.session.commit()
    assert again.leads == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "retention.purge", AuditEvent.object_type == "leads")) == 2
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 3


def test_lead_period_comes_from_the_environment_setting(app, db, filed_lead, staff):
    from webapp.services.doors import leads
    policy = retention.RetentionPolicy.from_config({"RETENTION_LEADS_DAYS": "30"})
    assert policy.lead_days == 30 and policy.days == retention.DEFAULT_DAYS
    lead = filed_lead()
    leads.close_lead(db.session, staff["intake"], lead, reason="unreachable")
    db.session.commit()
    report = retention.purge_expired(db.session, None, policy, upload_dir=_upload(app),
                                     now=utcnow() + dt.timedelta(days=31))
    db.session.commit()
    assert report.leads == 1 and report.cases == 0
    assert _lead_rows(db)[lead.number].name == retention.TOMBSTONE
    with pytest.raises(ValueError, match="RETENTION_LEADS_DAYS"):
        retention.RetentionPolicy.from_config({"RETENTION_LEADS_DAYS": "soon"})


def test_a_purged_open_lead_cannot_become_a_case(app, db, filed_lead, staff, settings,
                                                 consent_notice):
    from tests.factories import make_id
    from webapp.models import Case as CaseRow
    from webapp.services.consent import ConsentInput
    from webapp.services.doors import leads
    lead = filed_lead()
    assert retention.purge_lead(db.session, None, lead)
    db.session.commit()
    cases = db.session.scalar(select(func.count()).select_from(CaseRow))
    with pytest.raises(ConflictError):
        leads.convert_lead(db.session, staff["intake"], lead, id_number=make_id("19550101", 7),
                           category="serious_illness", amount_needed="3000",
                           case_settings=settings,
                           consent=ConsentInput(consent_notice.version, True, "read_aloud"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CaseRow)) == cases


def test_a_lead_that_became_a_case_follows_the_case(app, db, filed_lead, staff, settings,
                                                   consent_notice):
    from tests.factories import make_id
    from webapp.services.cases import workflow
    from webapp.services.consent import ConsentInput
    from webapp.services.doors import leads
    lead = filed_lead(name="钱玉梅", phone="13900003333")
    case = leads.convert_lead(db.session, staff["intake"], lead,
                              id_number=make_id("19550101", 7), category="serious_illness",
                              amount_needed="3000", case_settings=settings,
                              consent=ConsentInput(consent_notice.version, True, "read_aloud"))
    with pytest.raises(ConflictError):  # not by the lead's own period
        retention.purge_lead(db.session, None, lead)
    workflow.fire(db.session, staff["intake"], case, "withdraw", settings=settings,
                  reason="申请人撤回")
    db.session.commit()
    retention.purge_case(db.session, None, case, {"contact"}, upload_dir=_upload(app))
    db.session.commit()
    row = _lead_rows(db)[lead.number]
    assert row.phone is None and row.address is None and row.name == "钱玉梅"
    retention.purge_case(db.session, None, db.session.get(Case, case.id), {"identity"},
                         upload_dir=_upload(app))
    db.session.commit()
    row = _lead_rows(db)[lead.number]
    assert (row.name, row.description) == (retention.TOMBSTONE, retention.TOMBSTONE)

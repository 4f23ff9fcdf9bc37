"""告知同意: the notice is versioned and read-only once published, no case is made without
the applicant's recorded consent, and the record is personal data (sealed, shown to those
who may see the applicant, exported with the person, purged with them)."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from tests.factories import make_id
from webapp.models import Applicant, AuditEvent, Case
from webapp.models.consent import ConsentNotice, ConsentRecord
from webapp.services import DomainError, PermissionDeniedError, consent, retention
from webapp.services.consent import ConsentInput

BODY = "我们收集您的姓名、身份证号码、电话和住址，只用于核实困难情况和发放救助，不对外公开。"
TODAY = dt.date(2026, 12, 7)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_publish_adds_a_version_and_keeps_the_old_one_as_it_was(db, staff, consent_notice):
    first_body = db.session.get(ConsentNotice, consent_notice.id).body
    notice = consent.publish_notice(db.session, staff["admin"], body=BODY,
                                    effective_on=TODAY, today=TODAY)
    db.session.commit()
    assert notice.version == 2
    assert consent.notice_in_force(db.session, TODAY).version == 2
    assert consent.notice_in_force(db.session, TODAY - dt.timedelta(days=1)).version == 1
    assert db.session.get(ConsentNotice, consent_notice.id).body == first_body
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "consent.publish")).one()
    assert json.loads(event.summary)["version"] == 2


def test_publish_refuses_bad_input_and_other_roles_and_writes_nothing(db, staff,
                                                                      consent_notice):
    with pytest.raises(DomainError) as caught:
        consent.publish_notice(db.session, staff["admin"], body="太短", effective_on="2026-13-01",
                               today=TODAY)
    assert set(caught.value.errors) == {"body", "effective_on"}
    with pytest.raises(DomainError) as caught:
        consent.publish_notice(db.session, staff["admin"], body=BODY,
                               effective_on=TODAY - dt.timedelta(days=1), today=TODAY)
    assert "effective_on" in caught.value.errors
    with pytest.raises(PermissionDeniedError):
        consent.publish_notice(db.session, staff["officer"], body=BODY, effective_on=TODAY,
                               today=TODAY)
    db.session.rollback()
    assert count(db, ConsentNotice) == 1


def test_admin_publishes_on_the_page_and_a_bad_date_is_a_chinese_error(db, staff, auth, client,
                                                                      consent_notice):
    auth.login("admin")
    answer = auth.post("/rules/consent", {"title": "个人信息处理告知书", "body": BODY,
                                          "effective_on": "2001-01-01"},
                       form_page="/rules/consent")
    assert answer.status_code == 400
    assert "生效日期不能早于今天" in answer.get_data(as_text=True)
    assert count(db, ConsentNotice) == 1
    answer = auth.post("/rules/consent", {"title": "个人信息处理告知书", "body": BODY,
                                          "effective_on": "2099-01-01"},
                       form_page="/rules/consent")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/rules/consent/2")
    page = client.get("/rules/consent").get_data(as_text=True)
    assert "第 2 版" in page and "待生效" in page and "现行" in page


def test_notice_prints_as_an_a4_pdf_with_its_chinese_text(db, staff, auth, client,
                                                           consent_notice):
    auth.login("intake")
    response = client.get("/rules/consent/1/notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    words = "".join(page.extract_text() for page in reader.pages)
    assert "个人信息处理告知书" in words and "申请人签名" in words
    assert client.get("/rules/consent/9/notice.pdf").status_code == 404


def test_intake_without_consent_is_refused_with_a_chinese_message(db, staff, auth,
                                                                 consent_notice):
    auth.login("intake")
    form = {"name": "张建国", "id_number": make_id("19700101", 31), "local_hukou": "local",
            "town_id": staff["org"]("梁村镇").id, "village_id": 0, "category": "fire",
            "urgency": 3, "amount_needed": "5000", "source": "window", "household_size": 2,
            "description": "房屋夜间突发火灾，衣物口粮被烧毁，急需基本生活物资。",
            "consent_version": "1", "consent_method": "paper"}
    answer = auth.post("/cases/new", form, form_page="/cases/new")
    assert answer.status_code == 400
    assert "未记录申请人已阅读并同意" in answer.get_data(as_text=True)
    answer = auth.post("/cases/new", {**form, "consent_agreed": "y",
                                      "consent_proxy_relation": "child"},
                       form_page="/cases/new")
    assert answer.status_code == 400
    assert "请填写代为确认的人的姓名" in answer.get_data(as_text=True)
    assert count(db, Case) == count(db, Applicant) == count(db, ConsentRecord) == 0


def test_api_refuses_a_missing_or_outdated_consent_as_problem_json(db, staff, client, api_token,
                                                                  consent_notice):
    body = {"applicant": {"name": "李桂兰", "id_number": make_id("19620718", 32),
                          "local_hukou": True},
            "town": staff["org"]("梁村镇").id, "category": "serious_illness",
            "amount_needed": "1000", "description": "突发脑出血住院，医疗费用缺口大，家庭无力承担。"}
    for change in ({}, {"consent": {"version": 7, "agreed": True, "method": "paper"}},
                   {"consent": {"version": 1, "agreed": False, "method": "paper"}}):
        answer = client.post("/api/v1/cases", json={**body, **change},
                             headers=api_token("intake"))
        assert answer.status_code == 400, answer.get_json()
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert "consent" in str(answer.get_json())
    assert count(db, Case) == count(db, ConsentRecord) == 0


def _with_proxy(reported_case, consent_notice, **kwargs):
    return reported_case(consent=ConsentInput(consent_notice.version, True, "read_aloud",
                                              proxy_name="王志强", proxy_relation="child"),
                         **kwargs)


def test_consent_is_recorded_sealed_and_shown_to_those_allowed(db, staff, auth, client,
                                                              reported_case, consent_notice):
    case = _with_proxy(reported_case, consent_notice)
    record = db.session.scalars(select(ConsentRecord)).one()
    assert (record.case_id, record.notice.version, record.method.value) == (case.id, 1,
                                                                           "read_aloud")
    assert record.recorded_by_id == staff["intake"].id
    raw = db.session.execute(text("SELECT proxy_name FROM consent_records")).scalar_one()
    assert "王志强" not in raw
    auth.login("intake")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="case-consent"' in page and "第 1 版" in page and "王志强" not in page
    auth.logout()
    auth.login("dept")
    assert 'id="case-consent"' not in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_export_holds_the_consent_and_purge_removes_the_proxy_name(app, db, staff,
                                                                  reported_case, consent_notice):
    case = _with_proxy(reported_case, consent_notice, actions=("refuse",))
    exported = retention.export_person(db.session, staff["officer"], case.applicant)
    [given] = exported["cases"][0]["consents"]
    assert given["notice_version"] == 1 and given["proxy_name"] == "王志强"
    assert given["method"] == "read_aloud" and given["notice_text"]
    retention.purge_case(db.session, None, case, {"identity"},
                         upload_dir=app.config["DATA_DIR"] / "uploads")
    db.session.commit()
    record = db.session.scalars(select(ConsentRecord)).one()
    assert record.proxy_name == retention.TOMBSTONE and record.notice_id == consent_notice.id

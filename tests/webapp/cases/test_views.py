"""Case pages: intake, my cases, detail with actions, reveal, attachments, boards."""
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from tests.factories import ORDINARY, make_id
from webapp.models import Attachment, AuditEvent, Case, CaseStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def intake_form(staff, **changes):
    data = {"name": "张建国", "id_number": make_id("19700101", 9), "phone": "15012345678",
            "address": "梁村镇张官屯村", "local_hukou": "nonlocal",
            "town_id": staff["org"]("梁村镇").id, "village_id": 0,
            "category": "fire", "urgency": 4, "amount_needed": "5000", "source": "window",
            "household_size": 3, "household_flags": ["minor"], "services": ["生活帮扶"],
            "description": "房屋夜间突发火灾，衣物口粮被烧毁，急需基本生活物资。",
            "consent_version": "1", "consent_agreed": "y", "consent_method": "paper"}
    data.update(changes)
    return data


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_intake_page_has_live_check_script(client, auth, staff):
    auth.login("intake")
    html = client.get("/cases/new").get_data(as_text=True)
    assert "js/cases.js" in html and "身份证号码" in html and "非本县户籍" in html


def test_intake_form_creates_case_and_redirects(client, auth, staff, db, consent_notice):
    auth.login("intake")
    response = auth.post("/cases/new", intake_form(staff))
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    assert case.status == CaseStatus.REPORTED and case.applicant.local_hukou is False


def test_intake_form_wrong_checksum_shows_message_and_saves_nothing(client, auth, staff, db):
    auth.login("intake")
    response = auth.post("/cases/new", intake_form(staff, id_number="371526197001010091"),
                         form_page="/cases/new")
    assert response.status_code == 400
    assert "身份证号码无效" in response.get_data(as_text=True)
    assert count(db, Case) == 0


def test_intake_form_absurd_amount_is_refused(client, auth, staff, db):
    auth.login("intake")
    response = auth.post("/cases/new", intake_form(staff, amount_needed="1.234"),
                         form_page="/cases/new")
    assert response.status_code == 400
    assert "两位小数" in response.get_data(as_text=True)
    assert count(db, Case) == 0


def test_case_list_filters_and_counts(client, auth, reported_case):
    reported_case(actions=["accept"]), reported_case()
    auth.login("intake")
    html = client.get("/cases/?status=accepted").get_data(as_text=True)
    assert html.count("GT-") == 1
    assert "待受理" in html and "已受理" in html


def test_case_list_empty_state(client, auth, staff):
    auth.login("intake")
    assert "没有符合条件的个案" in client.get("/cases/").get_data(as_text=True)


def test_case_detail_masks_personal_data(client, auth, reported_case):
    case = reported_case()
    case_id, id_number = case.id, case.applicant.id_number
    auth.login("intake")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert id_number not in html and "13812345678" not in html and "王秀英" not in html
    assert "138****5678" in html and "显示完整信息" in html


def test_case_reveal_shows_full_data_and_is_audited(client, auth, reported_case, db):
    case = reported_case()
    case_id, id_number = case.id, case.applicant.id_number
    auth.login("intake")
    response = auth.post(f"/cases/{case_id}/reveal", form_page=f"/cases/{case_id}")
    html = response.get_data(as_text=True)
    assert id_number in html and "王秀英" in html
    assert count(db, AuditEvent.__table__.select().where(
        AuditEvent.action == "case.reveal").subquery()) == 1


def test_case_detail_department_sees_redacted_description(client, auth, reported_case, db):
    case = reported_case(actions=["accept", "transfer"])
    case.description = "王秀英家中突发重病，电话13812345678。"
    case_id = case.id
    db.session.commit()
    auth.login("dept")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "13812345678" not in html and "（已隐藏）" in html and "显示完整信息" not in html


def test_case_detail_of_other_town_is_404(client, auth, reported_case):
    case_id = reported_case("清平镇").id
    auth.login("intake")
    assert client.get(f"/cases/{case_id}").status_code == 404


def test_case_action_form_accepts_case(client, auth, reported_case, db):
    case_id = reported_case().id
    auth.login("intake")
    response = auth.post(f"/cases/{case_id}/actions/accept", form_page=f"/cases/{case_id}")
    assert response.status_code == 302
    assert db.session.get(Case, case_id).status == CaseStatus.ACCEPTED


def test_case_action_illegal_shows_409_message(client, auth, reported_case):
    case_id = reported_case().id
    auth.login("officer")
    response = auth.post(f"/cases/{case_id}/actions/approve", form_page=f"/cases/{case_id}")
    assert response.status_code == 409
    assert "不能执行「批准救助」" in response.get_data(as_text=True)


def test_case_action_refused_to_auditor(client, auth, reported_case, db):
    case_id = reported_case().id
    auth.login("auditor")
    response = auth.post(f"/cases/{case_id}/actions/accept", form_page=f"/cases/{case_id}")
    assert response.status_code == 403
    assert db.session.get(Case, case_id).status == CaseStatus.REPORTED


def test_case_available_actions_follow_state(client, auth, reported_case):
    case_id = reported_case(actions=ORDINARY).id
    auth.login("officer")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="do-approve"' in html and 'id="do-accept"' not in html


def upload(auth, case_id, data, name="bill.pdf"):
    return auth.post(f"/cases/{case_id}/attachments",
                     {"label": "住院发票", "file": (io.BytesIO(data), name)},
                     form_page=f"/cases/{case_id}", content_type="multipart/form-data")


def test_attachment_pdf_is_stored_and_downloadable(client, auth, reported_case, db, app):
    case_id = reported_case(actions=["accept"]).id
    auth.login("intake")
    assert upload(auth, case_id, PDF).status_code == 302
    row = db.session.scalars(select(Attachment)).one()
    assert row.media_type == "application/pdf" and "bill" not in row.stored_name
    response = client.get(f"/cases/{case_id}/attachments/{row.id}")
    assert response.status_code == 200 and response.data == PDF


def test_attachment_wrong_type_is_refused(client, auth, reported_case, db):
    case_id = reported_case(actions=["accept"]).id
    auth.login("intake")
    response = upload(auth, case_id, b"MZ\x90\x00 not a pdf", name="bill.pdf")
    assert response.status_code == 400
    assert "只能上传" in response.get_data(as_text=True)
    assert count(db, Attachment) == 0


def test_attachment_too_large_is_refused(client, auth, reported_case, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", 64)
    case_id = reported_case(actions=["accept"]).id
    auth.login("intake")
    response = upload(auth, case_id, PDF + b"0" * 100)
    assert response.status_code == 400
    assert count(db, Attachment) == 0


def test_attachment_not_served_to_department(client, auth, reported_case, db):
    case_id = reported_case(actions=["accept", "transfer"]).id
    auth.login("intake")
    assert upload(auth, case_id, PDF).status_code == 302
    attachment_id = db.session.scalars(select(Attachment.id)).one()
    auth.logout()
    auth.login("dept")
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.get(f"/cases/{case_id}/attachments/{attachment_id}").status_code == 403


def test_supervision_board_lists_overdue_oldest_first(client, auth, reported_case, staff):
    now = dt.datetime.now(dt.UTC)
    older = reported_case(now=now - dt.timedelta(days=30)).number
    newer = reported_case("清平镇", now=now - dt.timedelta(days=10)).number
    reported_case()
    auth.login("officer")
    html = client.get("/cases/supervision").get_data(as_text=True)
    assert older in html and newer in html and html.index(older) < html.index(newer)
    assert "受理窗口" in html


def test_supervision_board_filters_by_town(client, auth, reported_case, staff):
    now = dt.datetime.now(dt.UTC)
    reported_case(now=now - dt.timedelta(days=30))
    other = reported_case("清平镇", now=now - dt.timedelta(days=30)).number
    town = staff["org"]("梁村镇").id
    auth.login("auditor")
    assert other not in client.get(f"/cases/supervision?town={town}").get_data(as_text=True)


@pytest.mark.parametrize("username,status", [("officer", 200), ("auditor", 200),
                                             ("intake", 403), ("dept", 403), ("donor", 403)])
def test_supervision_board_access(client, auth, staff, username, status):
    auth.login(username)
    assert client.get("/cases/supervision").status_code == status


def test_transfer_inbox_answer_form(client, auth, reported_case, db):
    case_id = reported_case(actions=["accept", "start_verification", "transfer"]).id
    transfer_id = db.session.get(Case, case_id).transfers[0].id
    auth.login("dept")
    assert "请落实教育救助" in client.get("/cases/transfers").get_data(as_text=True)
    response = auth.post(f"/cases/transfers/{transfer_id}/answer", {"answer": "已落实"},
                         form_page="/cases/transfers")
    assert response.status_code == 302
    assert db.session.get(Case, case_id).status == CaseStatus.VERIFYING


def test_transfer_inbox_empty_answer_is_refused(client, auth, reported_case, db):
    case_id = reported_case(actions=["accept", "transfer"]).id
    transfer_id = db.session.get(Case, case_id).transfers[0].id
    auth.login("dept")
    response = auth.post(f"/cases/transfers/{transfer_id}/answer", {"answer": " "},
                         form_page="/cases/transfers")
    assert response.status_code == 400
    assert "请填写答复意见" in response.get_data(as_text=True)


def _two_reservations(db, staff, case, amounts=("1500.00", "2500.00")):
    """Reserve money for ``case`` from a new listed fund of the demo company; return its id."""
    from decimal import Decimal

    from webapp.models import Fund, ListingStatus
    from webapp.services import ledger
    fund = Fund(title="测试救急难基金", organisation_id=staff["org"]("鲁西爱心实业有限公司").id,
                capital=Decimal("10000.00"), status=ListingStatus.LISTED)
    db.session.add(fund)
    db.session.flush()
    ledger.top_up(db.session, None, source="fund", source_id=fund.id, amount="10000.00",
                  reference="企业转入基金")
    ids = [ledger.reserve_for_case(db.session, staff["officer"], source="fund",
                                   source_id=fund.id, case=case, amount=amount,
                                   reference="测试预留").id for amount in amounts]
    db.session.commit()
    return fund.id, ids


def test_case_page_warns_that_ending_releases_reservations(client, auth, reported_case, staff, db):
    case = reported_case(actions=ORDINARY)
    case_id = case.id
    _two_reservations(db, staff, case)
    auth.login("officer")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "仍有 2 笔未拨付的预留款项（共 4,000.00 元），撤回后将自动释放" in html
    assert 'id="held-money-approve"' not in html


def test_case_withdraw_form_reports_the_released_reservations(client, auth, reported_case, staff,
                                                              db):
    from decimal import Decimal

    from webapp.models import MoneyTransfer, MoneyTransferStatus
    from webapp.services import ledger
    case = reported_case(actions=ORDINARY)
    case_id = case.id
    fund_id, ids = _two_reservations(db, staff, case)
    auth.login("officer")
    response = auth.post(f"/cases/{case_id}/actions/withdraw", {"reason": "本人撤回申请"},
                         form_page=f"/cases/{case_id}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (f"已自动释放 2 笔未拨付的预留款项，共 4,000.00 元（#{ids[0]}、#{ids[1]}）"
            in html)
    db.session.expire_all()
    assert [db.session.get(MoneyTransfer, i).status for i in ids] == [
        MoneyTransferStatus.VOIDED] * 2
    assert ledger.balances_for(db.session, "fund", fund_id)["available"] == Decimal("10000.00")


def test_case_withdraw_without_reservations_reports_no_release(client, auth, reported_case, db):
    case_id = reported_case(actions=ORDINARY).id
    auth.login("officer")
    response = auth.post(f"/cases/{case_id}/actions/withdraw", {"reason": "本人撤回申请"},
                         form_page=f"/cases/{case_id}", follow_redirects=True)
    assert response.status_code == 200 and "自动释放" not in response.get_data(as_text=True)

"""Balance pages, auditor views and exports, officers' actions in the browser forms."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from webapp.services import ledger


@pytest.fixture
def paid(db, officers, make_fund, approved_case):
    """A fund with one paid and one reserved transfer; returns (fund id, case number, ids)."""
    import datetime as dt
    fund, case = make_fund("10000", title="鲁西救急基金"), approved_case("5000")
    paid = ledger.reserve_for_case(db.session, officers[0], source="fund", source_id=fund.id,
                                   case=case, amount="1000", reference="p1")
    ledger.disburse(db.session, officers[1], paid, payee="张三丰", method="bank_transfer",
                    voucher_number="PZ-100", paid_on=dt.date(2026, 1, 5),
                    second_officer_above=Decimal(5000))
    pending = ledger.reserve_for_case(db.session, officers[0], source="fund", source_id=fund.id,
                                      case=case, amount="500", reference="p2")
    db.session.commit()
    return fund.id, case.number, paid.id, pending.id


def test_balances_page_shows_total_reserved_disbursed_available(client, auth, paid):
    auth.login("auditor")
    html = client.get("/ledger/").get_data(as_text=True)
    assert "鲁西救急基金" in html
    for figure in ("¥10,000.00", "¥500.00", "¥1,000.00", "¥8,500.00"):
        assert figure in html


def test_balances_page_shows_fund_manager_only_own_organisation(client, auth, paid, db,
                                                                make_fund):
    from webapp.models import Fund, Organisation
    other_org = Organisation(name="别家公司", kind="enterprise")
    db.session.add(other_org)
    db.session.flush()
    db.session.add(Fund(title="别家基金", organisation_id=other_org.id, capital=Decimal(9)))
    db.session.commit()
    ledger.open_all_listing_accounts(db.session, None)
    db.session.commit()
    auth.login("fundmgr")
    html = client.get("/ledger/").get_data(as_text=True)
    assert "鲁西救急基金" in html and "别家基金" not in html


def test_balances_page_refused_to_donor(client, auth, paid):
    auth.login("donor")
    assert client.get("/ledger/").status_code == 403


def test_transfer_page_disburse_form_posts_payment(client, auth, paid, db):
    _, _, _, pending_id = paid
    auth.login("officer2")
    response = auth.post(f"/ledger/transfers/{pending_id}/disburse", {
        "payee": "高唐县人民医院", "method": "hospital_settlement", "voucher_number": "PZ-200",
        "paid_on": "2026-01-06"}, form_page=f"/ledger/transfers/{pending_id}")
    assert response.status_code == 302
    assert "已拨付" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_transfer_page_duplicate_voucher_number_shows_message(client, auth, paid):
    _, _, _, pending_id = paid
    auth.login("officer2")
    response = auth.post(f"/ledger/transfers/{pending_id}/disburse", {
        "payee": "医院", "method": "cash", "voucher_number": "PZ-100", "paid_on": "2026-01-06"},
        form_page=f"/ledger/transfers/{pending_id}")
    assert response.status_code == 409
    assert "凭证号已存在" in response.get_data(as_text=True)


def test_transfer_page_void_twice_shows_message(client, auth, paid):
    _, _, _, pending_id = paid
    auth.login("officer")
    page = f"/ledger/transfers/{pending_id}"
    assert auth.post(f"{page}/void", {"reason": "撤回"}, form_page=page).status_code == 302
    token_page = "/ledger/transfers"  # the action forms are gone from a voided transfer
    again = auth.post(f"{page}/void", {"reason": "撤回"}, form_page=token_page)
    assert again.status_code == 409
    assert "重复作废" in again.get_data(as_text=True)


def test_transfer_page_hides_payee_from_auditor(client, auth, paid):
    _, _, paid_id, _ = paid
    auth.login("auditor")
    assert "张三丰" not in client.get(f"/ledger/transfers/{paid_id}").get_data(as_text=True)


@pytest.mark.parametrize("dataset", ["accounts", "journal", "vouchers"])
def test_export_csv_has_case_number_but_no_payee(client, auth, paid, dataset):
    _, case_number, _, _ = paid
    auth.login("auditor")
    response = client.get(f"/ledger/export/{dataset}.csv")
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 1
    assert "张三丰" not in text
    if dataset != "accounts":
        assert case_number in text


def test_export_xlsx_opens_with_rows(client, auth, paid):
    auth.login("auditor")
    response = client.get("/ledger/export/vouchers.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "PZ-100"
    assert "张三丰" not in str(rows)


def test_export_refused_to_fund_manager(client, auth, paid):
    auth.login("fundmgr")
    assert client.get("/ledger/export/journal.csv").status_code == 403


def test_separation_of_duties_is_shown_before_the_form(client, auth, paid):
    """The approver reads who must pay before filling anything in; another officer gets the form."""
    _, _, _, pending_id = paid
    auth.login("officer")  # approved the reservation
    html = client.get(f"/ledger/transfers/{pending_id}").get_data(as_text=True)
    assert "这笔款项由您审批，须由另一名工作人员拨付。" in html
    assert 'id="disburse-form"' not in html
    auth.logout()
    auth.login("officer2")
    html = client.get(f"/ledger/transfers/{pending_id}").get_data(as_text=True)
    assert 'id="disburse-form"' in html and "审批、复核与拨付须由不同的工作人员办理。" in html


def test_vouchers_export_reads_in_words_with_a_masked_payee(client, auth, paid):
    auth.login("auditor")
    text = client.get("/ledger/export/vouchers.csv").get_data().decode("utf-8-sig")
    header, first = list(csv.reader(io.StringIO(text)))[:2]
    assert "收款人" in header and "经办人" in header
    assert "张**" in first and "银行转账" in first and "bank_transfer" not in text
    journal = client.get("/ledger/export/journal.csv").get_data().decode("utf-8-sig")
    assert "top_up" not in journal and "debit" not in journal and "民政局王科长" in journal


def test_export_headings_follow_the_language(client, auth, paid):
    auth.login("auditor")
    client.get("/lang/en")
    text = client.get("/ledger/export/vouchers.csv").get_data().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:4] == ["Voucher number", "Payment no.", "Case number", "Payee"], header
    sheet = load_workbook(io.BytesIO(client.get("/ledger/export/accounts.xlsx").get_data()),
                          read_only=True).active
    headings = next(sheet.iter_rows(values_only=True))
    assert headings[0] == "Account no." and not any("账户" in str(h) for h in headings)

"""The monthly report: its totals equal the ledger's and the cases', and its files open."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests.webapp.statistics.test_timeliness import at
from webapp.models import Case, MonthlyReport
from webapp.services import DomainError, jobs, transparency
from webapp.services.cases.deadlines import local_date
from webapp.services.statistics import monthly

TODAY = dt.date(2026, 5, 6)


@pytest.fixture
def quarter(case_walked_at):
    """Cases reported in February and March; help-first money paid in February and March."""
    feb = case_walked_at("清平镇", at("2026-02-10"), [("accept", at("2026-02-10", 15)),
                                                   ("emergency_aid", at("2026-02-12"))])
    mar = [case_walked_at("梁村镇", at("2026-03-02"), [("accept", at("2026-03-02", 15)),
                                                      ("emergency_aid", at("2026-03-04"))]),
           case_walked_at("梁村镇", at("2026-03-31", 23), source="hotline"),
           case_walked_at("清平镇", at("2026-03-20"), category="accident")]
    # Reported on April 1st 01:00 local time = March 31st in UTC: an April case.
    apr = case_walked_at("清平镇", at("2026-04-01", 1))
    return feb, mar, apr


def independent_money(db, start: dt.date, end: dt.date) -> Decimal:
    """Help money dated in [start, end) by the transparency page's own help records."""
    total = Decimal("0.00")
    for source in transparency._sources:
        for record in source(db.session):
            if start <= local_date(record.at) < end:
                total += record.amount
    return total


def independent_cases(db, start: dt.date, end: dt.date) -> int:
    return sum(1 for c in db.session.scalars(select(Case))
               if start <= local_date(c.reported_at) < end)


def test_monthly_report_totals_equal_ledger_and_cases(db, staff, settings, quarter):
    report = monthly.monthly_report(db.session, staff["officer"], year=2026, month=3,
                                    today=TODAY, settings=settings)
    march, april = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
    assert report.money_sources.month_total == independent_money(db, march, april) \
        == Decimal("1000.00")
    assert report.money_sources.year_total == independent_money(db, dt.date(2026, 1, 1), april) \
        == Decimal("2000.00")
    for b in (report.categories, report.channels, report.towns):
        assert b.month_total == independent_cases(db, march, april) == 3
        assert b.year_total == independent_cases(db, dt.date(2026, 1, 1), april) == 4
    channels = {label: (m, y) for label, m, y in report.channels.rows}
    assert channels["热线"] == (1, 1)
    schemes = {label: m for label, m, _ in report.money_schemes.rows}
    assert schemes == {monthly.MONEY_SOURCE_LABELS["reserve"]: Decimal("1000.00")}
    assert report.timeliness_month.case_total.received == 3
    assert report.hours_label == monthly.HOURS_DELIVERED_LABEL


def test_monthly_report_counts_hours_delivered_by_the_day_of_service(
        db, staff, settings, published_need, accepted_service_pairing, user_named):
    from webapp.services import delivery
    pairing = accepted_service_pairing(published_need(), hours="20", accepted_days_ago=400)
    volunteer = user_named("volunteer")
    for day, hours in (("2026-02-27", "2"), ("2026-03-01", "3.5"), ("2026-03-31", "1"),
                       ("2026-04-01", "4")):
        delivery.log_session(db.session, volunteer, pairing, delivered_on=day, hours=hours,
                             today=TODAY)
    db.session.commit()
    report = monthly.monthly_report(db.session, staff["officer"], year=2026, month=3,
                                    today=TODAY, settings=settings)
    social = {label: (m, y) for label, m, y in report.social}
    assert social[monthly.HOURS_DELIVERED_LABEL] == (Decimal("4.5"), Decimal("6.5"))


def test_monthly_report_refuses_a_month_that_does_not_exist(db, staff, settings):
    with pytest.raises(DomainError):
        monthly.monthly_report(db.session, staff["officer"], year=2026, month=13, today=TODAY,
                               settings=settings)


def test_monthly_report_job_writes_a_workbook_and_a_chinese_pdf(client, auth, db, staff,
                                                                quarter):
    auth.login("officer")
    response = auth.post("/statistics/reports", {"month": "2026-03"})
    assert response.status_code == 302
    report_id = db.session.scalars(select(MonthlyReport.id)).one()
    status = client.get(f"/statistics/reports/{report_id}/status").get_json()
    assert status["stage"] == "queued" and not status["done"]
    assert client.get(f"/statistics/reports/{report_id}.pdf").status_code == 404
    jobs.run_pending(db.session)
    assert client.get(f"/statistics/reports/{report_id}/status").get_json()["done"]
    pdf = client.get(f"/statistics/reports/{report_id}.pdf")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    pdf.close()
    for heading in ("2026年3月救急难工作月报", "个案受理情况", "救助资金", "社会力量参与",
                    "办理时效"):
        assert heading in text
    xlsx = client.get(f"/statistics/reports/{report_id}.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    xlsx.close()
    assert book.sheetnames == ["个案", "资金", "社会力量", "办理时效"]
    cells = [c for row in book["资金"].iter_rows(values_only=True) for c in row]
    total_at = cells.index("合计")
    assert cells[total_at + 1] == 1000.0 and cells[total_at + 2] == 2000.0
    # Both files' totals are the ledger's and the cases' counted independently.
    march, april, january = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 1, 1)
    cases = (independent_cases(db, march, april), independent_cases(db, january, april))
    money = (independent_money(db, march, april), independent_money(db, january, april))
    case_totals = [row[1:3] for row in book["个案"].iter_rows(values_only=True)
                   if row[0] == "合计"]
    assert case_totals == [cases] * 3                    # by category, channel and town
    assert tuple(Decimal(str(v)) for v in cells[total_at + 1:total_at + 3]) == money
    assert text.count(f"合计 {cases[0]} {cases[1]}") == 3
    assert f"合计 ¥{money[0]:,.2f} ¥{money[1]:,.2f}" in text
    bad = auth.post("/statistics/reports", {"month": "2026-13"}, form_page="/statistics/reports")
    assert bad.status_code == 400 and "请选择有效的月份" in bad.get_data(as_text=True)
    assert db.session.scalars(select(MonthlyReport.id)).all() == [report_id]

"""An officer reads the timeliness figures, switches a chart to its table, downloads the CSV,
drills into a figure, generates the monthly report and downloads both files (desktop); then
records a joint conference's attendance and minutes (phone)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.journey import DESKTOP, PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def scenario(db, staff, case_walked_at):
    from webapp.models import utcnow
    from webapp.services.cases import conference, conference_records
    start = utcnow() - dt.timedelta(days=12)
    late = case_walked_at("梁村镇", start, [("accept", start + dt.timedelta(days=4)),
                                           ("emergency_aid", start + dt.timedelta(days=5))])
    case_walked_at("梁村镇", start, [("accept", start + dt.timedelta(hours=3))])
    case_walked_at("清平镇", start + dt.timedelta(days=1))
    for name in ("高唐县教育和体育局", "高唐县卫生健康局"):
        conference_records.add_member(db.session, staff["officer"], staff["org"](name))
    meeting = conference.schedule_conference(
        db.session, staff["officer"], title="救急难联席会议（本月）", location="三楼会议室",
        scheduled_at=utcnow() - dt.timedelta(days=2))
    names = {"late": late.number, "meeting": meeting.title}
    db.session.commit()  # and no transaction left open: the app's requests need the database
    return names


def test_officer_reads_figures_reports_and_records_a_meeting(journey, scenario, db, tmp_path):
    from webapp.services import jobs
    j = journey("statistics", DESKTOP)
    page = j.page
    j.log_in("officer")
    j.seen("dashboard")
    j.nav("时效统计", group="个案办理")
    page.wait_for_selector("#cases-chart[data-rendered='1']")
    assert page.locator("#cases-table-wrap").is_hidden()
    assert "梁村镇" in j.text()
    j.seen("figures-by-town")

    page.get_by_label("分组", exact=True).select_option(label="环节")
    j.button("统计")
    page.wait_for_selector("#steps-chart[data-rendered='1']")
    j.seen("figures-by-step")

    page.locator("#steps-toggle").click()
    table = page.locator("#steps-table")
    assert table.is_visible() and page.locator("#steps-chart-box").is_hidden()
    acceptance = table.locator("tr", has_text="受理").first
    assert "33.3" in acceptance.inner_text()   # 1 of 3 on time: one late, one open past due
    j.seen("figures-table")

    with page.expect_download() as download:
        page.locator("#steps-csv").click()
    saved = tmp_path / "steps.csv"
    download.value.save_as(saved)
    assert "受理" in saved.read_text(encoding="utf-8-sig")

    j.click(acceptance.locator("a.drill").first)   # the late acceptances
    assert "统计明细" in j.text() and scenario["late"] in j.text()
    j.seen("drill-down")

    j.link("返回统计")
    j.seen("figures-again")
    j.link("月报")
    j.seen("reports-empty")
    j.button("生成月报")
    assert "月报已开始生成" in j.text()
    j.seen("report-queued")
    jobs.run_pending(db.session)  # the worker, outside the request
    page.wait_for_selector(".report-files:not(.d-none)")
    assert "已完成" in page.inner_text(".report-stage")
    j.seen("report-done")
    for selector, suffix in ((".report-xlsx", ".xlsx"), (".report-pdf", ".pdf")):
        with page.expect_download() as download:
            page.locator(selector).first.click()
        assert download.value.suggested_filename.endswith(suffix)
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        assert target.stat().st_size > 1000
    j.finish()

    j = journey("conference", PHONE)
    page = j.page
    j.log_in("officer")
    j.seen("dashboard")
    j.nav("联席会议", group="个案办理")
    assert "逾期未录纪要" in j.text()
    j.seen("conferences-overdue")
    j.link(scenario["meeting"])
    j.seen("meeting-overdue")
    page.get_by_label("高唐县教育和体育局", exact=True).check()
    page.get_by_label("高唐县教育和体育局 参会人员").fill("张科长")
    j.button("保存出席情况")
    assert "已记录出席情况" in j.text()
    j.seen("attendance-saved")
    page.get_by_label("纪要内容").fill("会议研究决定：由县教育和体育局落实助学救助，三个工作日内答复。")
    j.button("保存纪要")
    assert "已召开，纪要已录" in j.text()
    j.seen("minutes-saved")
    with page.expect_download() as download:
        page.locator("#minutes-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    j.finish()

"""An officer answers an applicant's access and correction request by clicking: finds the
person by ID number, downloads the export, corrects the phone number after checking old and
new values; the auditor then reads it in the audit log (phone and desktop width)."""
import json
from pathlib import Path

import pytest

from tests.browser.journey import DESKTOP, PHONE

pytestmark = pytest.mark.browser


def test_officer_exports_and_corrects_a_person_and_the_auditor_sees_it(journey, db,
                                                                       reported_case):
    case = reported_case(actions=("accept",))
    number, old_phone, name = case.applicant.id_number, case.applicant.phone, case.applicant.name
    case_number = case.number
    db.session.rollback()  # end the read transaction: on SQLite it holds the write lock

    j = journey("person-data", PHONE)
    j.log_in("officer")
    j.seen("dashboard")
    j.nav("个人信息查询与更正", group="系统管理")
    j.seen("find")
    j.type("身份证号码", number)
    j.button("查找")
    results = j.text()
    assert case_number in results and name not in results and number not in results
    j.seen("found")
    label = j.page.evaluate(
        "getComputedStyle(document.querySelector('td[data-label]'), '::before').content")
    assert label == '"姓名："', label  # the stacked table's label, full-width colon in Chinese
    j.link("查看并办理")
    assert name not in j.text() and old_phone not in j.text()
    j.seen("person")
    j.page.get_by_label("导出原因", exact=True).select_option(label="本人申请查阅、复制")
    with j.page.expect_download() as download:
        j.page.get_by_role("button", name="导出并下载", exact=True).click()
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert record["applicant"]["name"] == name
    assert [c["number"] for c in record["cases"]] == [case_number]
    j.type("联系电话", "13900002222")
    j.type("更正依据（如户口簿、身份证复印件）", "本人提供新的手机号码")
    j.button("核对更正内容")
    table = j.page.inner_text("#correction-table")
    assert "联系电话" in table and old_phone in table and "13900002222" in table
    j.seen("confirm")
    j.button("确认更正")
    assert "已更正：联系电话" in j.text()
    j.seen("corrected")
    j.finish()

    j = journey("person-data-audit", DESKTOP)
    j.log_in("auditor")
    j.seen("auditor-dashboard", shots=False)
    j.nav("审计日志")
    log = j.text()
    assert "更正申请人个人信息" in log and "导出申请人个人信息" in log
    assert "13900002222" not in log and old_phone not in log
    j.seen("audit-log")
    j.finish()

"""Case work by clicking: the intake window registers and accepts a case and transfers it,
the department answers the transfer, the auditor reads the case and the audit log."""
import pytest

from tests.browser.journey import DESKTOP, PHONE
from tests.factories import make_id

pytestmark = pytest.mark.browser


def test_intake_department_and_auditor(journey, demo_base, consent_notice, db):
    from webapp.demo.cases import _fund_reserve
    _fund_reserve(db.session)  # the county's help-first reserve, as the demo funds it
    db.session.commit()
    number = _intake_registers_accepts_and_transfers(journey)
    _department_answers(journey, number)
    _auditor_reads(journey, number)


def _intake_registers_accepts_and_transfers(journey) -> str:
    j = journey("intake", DESKTOP)
    j.log_in("intake")
    j.seen("dashboard")
    j.nav("个案", group="个案办理")
    j.seen("cases")
    j.link("登记新个案")
    j.seen("new-case")
    j.type("姓名", "赵德胜")
    j.type("身份证号码", make_id("19800305", 11))
    j.type("联系电话", "13812345678")
    j.type("现住址", "梁村镇后刘村 8 号")
    j.page.get_by_label("急难类别").select_option(label="交通事故")
    j.type("所需金额（元）", "9000")
    j.type("困难情况", "骑电动车途中遭遇交通事故致重伤，肇事方无力赔偿，医疗费缺口较大。")
    j.page.get_by_label("已向申请人告知个人信息的处理方式，申请人（或代理人）同意").check()
    j.button("登记")
    number = j.page.inner_text("#case-number")
    assert number.startswith("GT-")
    assert "138****5678" in j.text()
    j.seen("case-reported")
    j.page.locator("#actions summary", has_text="受理").first.click()
    j.button("受理", within=j.page.locator("#actions"))
    assert "已受理" in j.page.inner_text("#case-status")
    j.seen("case-accepted")
    j.page.locator("#actions summary", has_text="先行救助").first.click()
    rule = j.page.locator("#amount-ea-rule").inner_text()
    assert "3000" in rule and "9,000.00" in rule  # the limits, before anything is typed
    j.page.locator("#amount-ea").fill("5000")
    j.button("先行救助", within=j.page.locator("#actions"))
    assert "金额不能超过 3,000.00 元" in j.page.inner_text("#actions")
    assert j.page.locator("#amount-ea").input_value() == "5000"  # what was typed is kept
    j.seen("emergency-aid-refused")
    j.page.locator("#amount-ea").fill("2000")
    j.button("先行救助", within=j.page.locator("#actions"))
    assert "先行救助" in j.page.inner_text("#case-status"), j.page.inner_text("main")[:600]
    j.seen("emergency-aid")
    j.page.locator("#actions summary", has_text="转办").first.click()
    j.page.get_by_label("转办部门").select_option(label="高唐县教育和体育局")
    j.page.locator("#actions form", has=j.page.get_by_label("转办部门")).get_by_label(
        "转办事由").fill("请落实教育资助")
    j.button("转办", within=j.page.locator("#actions"))
    assert "已转办" in j.page.inner_text("#case-status") or "转办" in j.page.inner_text(
        "#case-status")
    j.seen("case-transferred")
    j.finish()
    return number.strip()


def _department_answers(journey, number: str) -> None:
    j = journey("department", PHONE)
    j.log_in("dept")
    assert "待答复转办" in j.text()
    j.seen("dashboard")
    j.nav("转办", group="个案办理")
    card = j.page.locator(".transfer-card", has_text=number)
    assert "请落实教育资助" in card.inner_text()
    j.seen("transfers")
    card.get_by_label("答复意见").fill("已纳入教育资助名单")
    j.button("提交答复", within=card)
    j.link("已答复")
    answered = j.page.locator(".transfer-card", has_text=number).inner_text()
    assert "已纳入教育资助名单" in answered
    j.seen("transfer-answered")
    j.finish()


def _auditor_reads(journey, number: str) -> None:
    j = journey("auditor", DESKTOP)
    j.log_in("auditor")
    j.seen("dashboard")
    j.nav("个案", group="个案办理")
    j.seen("cases")
    j.link(number)
    assert "已纳入教育资助名单" in j.text()
    assert "13812345678" not in j.text()
    j.seen("case")
    j.nav("审计日志", group="系统管理")
    log = j.text()
    assert "梁村镇受理窗口" in log and "登记个案" in log and "受理" in log
    assert "case.report" not in log and "{" not in log
    j.seen("audit-log-all")
    j.type("按操作筛选", "转办")
    with j.page.expect_navigation():
        j.page.keyboard.press("Enter")
    assert "转办" in j.text() and "登记个案" not in j.text()
    j.seen("audit-log")
    j.finish()

"""The loop closes, clicked through: a volunteer logs a session on their assignment; the
officer, on a phone, approves another case's assistance under a scheme (refused above the
scheme's standard, then granted), tops up the help-first reserve from the scheme's budget
and records the closed case's outcome; the need's page shows it, and the donor follows
their pledge to that outcome and downloads the 捐赠证明 PDF."""
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from tests.browser.journey import DESKTOP, PHONE
from tests.factories import make_id

pytestmark = pytest.mark.browser


def test_volunteer_officer_and_donor_close_the_loop(journey, db, published_need, user_named,
                                                    accepted_service_pairing,
                                                    closed_by_officer, approved_case,
                                                    budgeted_scheme):
    from webapp.models import Applicant, Case, CaseStatus
    from webapp.services import pledges

    card = published_need()
    pairing_id = accepted_service_pairing(card, hours="6").id
    pledge = pledges.make_pledge(db.session, user_named("donor"), need=card, amount="1500")
    pledges.confirm_pledge(db.session, user_named("officer"), pledge)
    pledges.fulfil_pledge(db.session, user_named("officer"), pledge)
    db.session.commit()
    verified = approved_case("8000.00", status=CaseStatus.VERIFIED)
    applicant = Applicant(name="孙海燕", id_number=make_id("19760412", 31),
                          person_key="journey-scheme-person")
    db.session.add(applicant)
    db.session.flush()
    verified.applicant_id, verified.owner_id = applicant.id, user_named("officer").id
    db.session.commit()
    card_id, case_id, reference = card.id, card.case_id, pledge.reference
    verified_id, scheme_id = verified.id, budgeted_scheme.id
    db.session.remove()  # the live server's threads get the database to themselves

    j = journey("delivery", DESKTOP)
    j.log_in("volunteer")
    j.seen("dashboard-volunteer", shots=False)
    j.nav("资源对接", "资源与资金")
    j.seen("assignments")
    j.click(j.page.locator(f"#sessions-{pairing_id}"))
    j.seen("sessions-empty")
    j.page.get_by_label("服务日期").fill(dt.date.today().isoformat())
    j.type("服务时长（小时）", "7")  # more than the 6 approved hours
    j.type("简要说明", "陪同复诊并协助办理住院手续")
    j.button("保存服务记录")
    assert "超过了批准的服务时长" in j.text()
    assert j.page.get_by_label("简要说明").input_value() == "陪同复诊并协助办理住院手续"
    j.seen("sessions-refused")
    j.type("服务时长（小时）", "2.5")
    j.button("保存服务记录")
    assert "已记录 2.5 小时服务" in j.text()
    assert j.page.inner_text("#hours-delivered") == "2.50 小时"
    assert "陪同复诊" in j.page.inner_text("#session-table")
    j.seen("sessions-logged")
    j.log_out()

    closed_by_officer(db.session.get(Case, case_id))
    db.session.remove()
    _officer_grants_tops_up_and_records_outcome(journey, verified_id, scheme_id, case_id,
                                                card_id)

    j.log_in("donor")
    j.seen("dashboard-donor", shots=False)
    j.nav("我的捐助")
    j.seen("my-pledges")
    j.link(reference)
    life = j.page.inner_text("#pledge-life")
    assert "已收到" in life and "用于需求" in life and "手术顺利" in life
    j.seen("pledge-life")
    # WeasyPrint lays out the certificate with the CJK fonts: allow for a busy machine.
    with j.page.expect_download(timeout=90000) as caught:
        j.page.locator("#certificate-link").click(timeout=90000)
    pdf = caught.value.path().read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "捐赠证明" in text and "1,500.00" in text and "财政部门" in text
    j.finish()


def _officer_grants_tops_up_and_records_outcome(journey, verified_id: int, scheme_id: int,
                                                case_id: int, card_id: int) -> None:
    j = journey("officer-money", PHONE)
    j.log_in("officer")
    j.seen("dashboard-officer", shots=False)
    j.page.goto(f"{j.base}/cases/{verified_id}")
    actions = j.page.locator("#actions")
    actions.locator("summary", has_text="批准救助").first.click()
    assert "标准 500–3,000 元" in j.page.get_by_label("救助政策").inner_text()
    j.page.get_by_label("救助政策").select_option(value=str(scheme_id))
    j.type("政策救助金额（元）", "3500")  # above the scheme's ¥3,000 standard
    j.button("批准救助", within=actions)
    assert "超过「临时救助（测试）」的救助标准上限 3,000.00 元" in j.page.inner_text("#actions")
    assert j.page.get_by_label("政策救助金额（元）").input_value() == "3500"
    assert "待审批" in j.page.inner_text("#case-status")
    j.seen("scheme-refused")
    j.type("政策救助金额（元）", "3000")
    j.button("批准救助", within=j.page.locator("#actions"))
    assert "已批准" in j.page.inner_text("#case-status"), j.text()[:600]
    assert "其中「临时救助（测试）」救助 3,000.00 元" in j.text()
    j.seen("scheme-approved")

    j.nav("资金台账")
    j.seen("ledger", shots=False)
    j.link("备用金")
    before = _yuan(j.page.inner_text("#reserve-available"))
    assert "可用 ¥97,000.00" in j.page.get_by_label("救助政策预算").inner_text()
    j.seen("reserve")
    j.page.get_by_label("救助政策预算").select_option(value=str(scheme_id))
    j.type("金额（元）", "20000")
    j.type("拨款依据（财政拨款文号）", "高财社〔2026〕12号")
    j.button("补充备用金", confirm=True)
    assert "已从救助政策预算补充备用金 20,000.00 元" in j.text()
    assert _yuan(j.page.inner_text("#reserve-available")) == before + 20000
    assert "高财社〔2026〕12号" in j.page.inner_text("#reserve-history")
    j.seen("reserve-topped-up")

    j.page.goto(f"{j.base}/cases/{case_id}")
    j.seen("closed-case")
    j.page.get_by_label("已解决").check()
    j.page.get_by_label("成效说明（10–500 字）").fill("手术顺利，医疗费用已全部解决，家人已能照料。")
    # The redaction gate loads jieba's dictionary on its first use in this process (several
    # seconds on a busy machine): allow for it on this one click.
    j.page.set_default_timeout(60000)
    j.button("保存救助成效", confirm=True)
    j.page.set_default_timeout(10000)
    assert j.page.inner_text("#outcome-result") == "已解决"
    j.seen("outcome-recorded")
    j.page.goto(f"{j.base}/needs/{card_id}")
    assert "已办结" in j.text() and "手术顺利" in j.page.inner_text("#need-outcome")
    sources = j.page.inner_text("#help-sources")
    assert "志愿服务" in sources and "2.50 小时" in sources and "¥1,500.00" in sources
    j.seen("closed-need")
    j.finish()


def _yuan(text: str):
    from decimal import Decimal
    return Decimal(text.strip().lstrip("¥").replace(",", ""))

"""The loop closes, clicked through: a volunteer logs a session on their assignment, the
officer records the closed case's outcome, the need's page shows it, and the donor follows
their pledge to that outcome and downloads the 捐赠证明 PDF."""
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from tests.browser.journey import DESKTOP

pytestmark = pytest.mark.browser


def test_volunteer_officer_and_donor_close_the_loop(journey, db, published_need, user_named,
                                                    accepted_service_pairing,
                                                    closed_by_officer):
    from webapp.models import Case
    from webapp.services import pledges

    card = published_need
    pairing_id = accepted_service_pairing(card, hours="6").id
    pledge = pledges.make_pledge(db.session, user_named("donor"), need=card, amount="1500")
    pledges.confirm_pledge(db.session, user_named("officer"), pledge)
    pledges.fulfil_pledge(db.session, user_named("officer"), pledge)
    db.session.commit()
    card_id, case_id, reference = card.id, card.case_id, pledge.reference
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
    j.log_in("officer")
    j.seen("dashboard-officer", shots=False)
    j.page.goto(f"{j.base}/cases/{case_id}")
    j.seen("closed-case")
    j.page.get_by_label("已解决").check()
    j.page.get_by_label("成效说明（10–500 字）").fill("手术顺利，医疗费用已全部解决，家人已能照料。")
    j.button("保存救助成效", confirm=True)
    assert j.page.inner_text("#outcome-result") == "已解决"
    j.seen("outcome-recorded")
    j.page.goto(f"{j.base}/needs/{card_id}")
    assert "已办结" in j.text() and "手术顺利" in j.page.inner_text("#need-outcome")
    sources = j.page.inner_text("#help-sources")
    assert "志愿服务" in sources and "2.50 小时" in sources and "¥1,500.00" in sources
    j.seen("closed-need")
    j.log_out()

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

"""Every door in, by clicking: a resident applies online at phone width and reads the code
from the local outbox, gets a number and looks up progress; the window turns the lead into a
case; a volunteer's lead is accepted and the volunteer sees that; a refused applicant appeals
from the status lookup and a second officer decides. Around them: an officer orders the town
window about a late lead from the supervision board and the window replies; the window reaches
its lead queue from the dashboard tile; the window appeals a refusal on the applicant's behalf
from the case page; converting a lead with an ID number that has an open case warns the window.
"""
import datetime as dt
import re

import pytest

from tests.browser.journey import DESKTOP, PHONE
from tests.factories import make_id

pytestmark = pytest.mark.browser


def test_every_door_in(journey, demo_base, reported_case, make_user, staff, db, filed_lead):
    from webapp.models import Role
    make_user(Role.OFFICER, organisation=staff["officer"].organisation, username="reviewer",
              password="jiujinan-demo")  # the second officer, who decides the appeal
    refused = reported_case(actions=["accept", "start_verification", "verify", "reject"])
    refused_number = refused.number
    refused_at_window = reported_case(actions=["refuse"]).id
    late_lead = filed_lead(None, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).number
    db.session.commit()  # the read above began a transaction: SQLite would stay locked
    outbox = journey("outbox", DESKTOP)
    outbox.log_in("officer")
    outbox.seen("dashboard", shots=False)
    _officer_orders_late_lead(outbox, late_lead)
    lead_number = _resident_applies(journey, outbox)
    _window_converts(journey, lead_number, "13500001234", "19620315", reply_to=late_lead)
    volunteer_lead = _volunteer_reports(journey)
    _window_converts(journey, volunteer_lead, None, "19620315", appeal_for=refused_at_window,
                     duplicate=True)  # the first lead's ID number: the window is warned
    _volunteer_sees_it_accepted(journey, volunteer_lead)
    _refused_applicant_appeals(journey, outbox, refused_number)
    _second_officer_decides(journey, refused_number)
    outbox.finish()


def _officer_orders_late_lead(j, number: str) -> None:
    j.nav("督查督办", group="个案办理")
    row = j.page.locator("#late-leads tr", has_text=number)
    j.seen("board-late-lead")
    j.click(row.get_by_role("link", name="发督办单"))
    assert number in j.text()
    j.seen("lead-order-form", shots=False)
    j.type("督办要求", "线索已超期未首次联系，请今天内联系困难群众并答复")
    j.button("发出督办单")
    card = j.page.locator(".order-card", has_text=number)
    assert "线索" in card.inner_text() and "待答复" in card.inner_text()
    j.seen("lead-order-issued")


def _read_code(outbox, phone: str, *, shots: bool = False) -> str:
    outbox.nav("短信发件箱", group="个案办理")
    row = outbox.page.locator(".outbox-row", has_text=phone).filter(has_text="验证码").first
    outbox.seen("outbox", shots=shots)
    return re.search(r"验证码(\d{6})", row.inner_text()).group(1)


def _resident_applies(journey, outbox) -> str:
    j = journey("resident", PHONE)
    j.page.goto(j.base + "/")
    j.seen("home", shots=False)
    j.nav("网上申请", group="公开信息")
    j.seen("apply")
    j.type("困难群众姓名或称呼", "吴秀珍")
    j.page.get_by_label("我是替家人或邻居申请").check()  # her husband fills the form
    j.type("您本人的姓名（替别人申请时填写）", "王德顺")
    j.page.get_by_label("您与需要帮助的人的关系", exact=False).select_option(label="配偶")
    j.page.get_by_label("所在镇（街道）").select_option(label="梁村镇")
    j.type("住址或所在地点", "梁村镇前王村 21 号")
    j.type("手机号码（接收验证码和办理结果）", "135 0000 1234")
    j.type("发生了什么", "老伴突发脑梗住院，花光了积蓄，还欠医院两万多元。")
    j.page.get_by_label("紧急程度").select_option(label="紧急")
    j.page.get_by_label("我已阅读《个人信息处理告知书》", exact=False).check()
    j.button("获取验证码")
    assert "验证码已发到您填写的手机" in j.text()
    j.seen("code")
    code = _read_code(outbox, "13500001234", shots=True)
    j.type("短信验证码", f"{(int(code) + 1) % 1_000_000:06d}")  # a slip of the finger
    j.button("确认提交")
    assert "验证码不正确，还可以再试 4 次" in j.text()
    j.seen("code-wrong")
    j.type("短信验证码", code)
    j.button("确认提交")
    number = j.page.inner_text("#lead-number").strip()
    assert re.fullmatch(r"XS-\d{4}-\d{6}", number)
    assert "梁村镇受理窗口" in j.text()
    j.seen("applied")
    j.link("查询办理进度")
    j.seen("lookup")
    j.type("申请编号或个案编号", number)
    j.type("申请时留的手机号码", "13500001234")
    j.button("获取验证码")
    j.seen("lookup-code", shots=False)
    outbox.page.reload()
    j.type("短信验证码", _read_code(outbox, "13500001234"))
    j.button("查看进度")
    assert j.page.inner_text("#status-step") == "已收到申请，等待受理窗口与您联系"
    assert j.page.inner_text("#status-window") == "梁村镇受理窗口"
    assert "身份证" in j.page.inner_text("#status-bring")
    assert "吴秀珍" not in j.text() and "前王村" not in j.text()  # nothing else
    j.seen("status")
    j.finish()
    return number


def _window_converts(journey, number: str, phone: str | None, birth: str, *,
                     reply_to: str | None = None, appeal_for: int | None = None,
                     duplicate: bool = False) -> None:
    j = journey("window", DESKTOP)
    j.log_in("intake")
    tile = j.page.locator(".card", has_text="待联系线索")
    assert int(tile.locator(".stat-value").inner_text()) >= 1
    j.seen("dashboard", shots=bool(reply_to))
    j.click(tile)
    j.seen("lead-queue")
    j.click(j.page.locator(".lead-row", has_text=number))
    if phone:
        assert phone in j.page.inner_text("#lead-facts")
    j.seen("lead")
    form = j.page.locator("#convert-form")
    form.get_by_label("身份证号码").fill(make_id(birth, 5))
    form.get_by_label("急难类别").select_option(label="重大疾病")
    form.get_by_label("所需金额（元）").fill("20000")
    if phone:  # the resident agreed to the notice when applying online
        assert "已在网上阅读并同意告知书第 1 版" in form.inner_text()
        assert "由配偶 王德顺 代为申请并确认" in form.inner_text()
    else:  # the window tells the person found by the volunteer, who signs the paper form
        form.get_by_label("已向申请人告知个人信息的处理方式", exact=False).check()
    j.button("转为个案", within=form)
    if duplicate:
        warning = j.page.inner_text("#duplicate-warning")
        assert "GT-" in warning and "梁村镇" in warning
        j.seen("lead-duplicate")
        form.get_by_label("我已核实，仍然登记").check()
        j.button("转为个案", within=form)
    assert "已受理" in j.page.inner_text("#case-status")
    j.seen("case-from-lead")
    if reply_to:  # the officer's order about the late lead, answered from the order list
        j.nav("督办单", group="个案办理")
        card = j.page.locator(".order-card", has_text=reply_to)
        card.get_by_label("答复内容").fill("已电话联系困难群众，明日入户了解情况")
        j.seen("lead-order-to-reply", shots=False)
        j.button("提交答复", within=card)
        assert "已答复" in j.page.locator(".order-card", has_text=reply_to).inner_text()
        j.seen("lead-order-replied")
    if appeal_for:  # a refusal the applicant disputes at the window
        j.page.goto(f"{j.base}/cases/{appeal_for}")
        j.page.locator("#case-appeal summary").click()
        j.type("申请复核的理由", "申请人补充了住院证明和欠费单，请求复核")
        j.seen("window-appeal")
        j.button("提交复核申请")
        assert "复核中" in j.page.inner_text("#appeal-state")
        j.seen("window-appealed")
    j.finish()


def _volunteer_reports(journey) -> str:
    j = journey("volunteer", PHONE)
    j.log_in("volunteer")
    j.seen("dashboard", shots=False)
    j.nav("我报告的线索", group="个案办理")
    j.seen("my-leads-empty", shots=False)
    j.link("报告线索")
    j.seen("new-lead")
    j.type("困难群众姓名或称呼", "郑老汉")
    j.page.get_by_label("所在镇（街道）").select_option(label="梁村镇")
    j.type("住址或所在地点", "梁村镇后刘村村西头")
    j.type("发生了什么", "独居老人冬天煤炉取暖时烫伤，无人照料，需要就医。")
    j.button("提交线索")
    number = j.page.inner_text("#lead-number").strip()
    assert "等待受理窗口首次联系" in j.page.inner_text("#lead-outcome")
    j.seen("lead-filed")
    j.finish()
    return number


def _volunteer_sees_it_accepted(journey, number: str) -> None:
    j = journey("volunteer-later", PHONE)
    j.log_in("volunteer")
    j.seen("dashboard", shots=False)
    j.nav("我报告的线索", group="个案办理")
    row = j.page.locator(".my-lead", has_text=number)
    assert "已受理，转为个案" in row.inner_text()
    j.seen("my-leads-accepted")
    j.click(row)
    outcome = j.page.inner_text("#lead-outcome")
    assert "已受理，转为个案" in outcome and "GT-" in outcome
    assert "身份证" not in j.text()  # never more than the volunteer gave
    j.seen("lead-accepted")
    j.finish()


def _refused_applicant_appeals(journey, outbox, case_number: str) -> None:
    j = journey("appellant", PHONE)
    j.page.goto(j.base + "/")
    j.seen("home", shots=False)
    j.nav("进度查询", group="公开信息")
    j.seen("lookup", shots=False)
    j.type("申请编号或个案编号", case_number)
    j.type("申请时留的手机号码", "13812345678")
    j.button("获取验证码")
    j.seen("appeal-code", shots=False)
    outbox.page.reload()
    j.type("短信验证码", _read_code(outbox, "13812345678"))
    j.button("查看进度")
    assert j.page.inner_text("#status-step") == "不予救助"
    assert "不符合条件" in j.page.inner_text("#status-reason")
    j.seen("refused-status")
    j.page.locator("#appeal-form").get_by_label("申请复核的理由").fill(
        "家里两个孩子上学，丈夫长期患病，收入核算有误，请求复核。")
    j.button("提交复核申请")
    assert "复核申请已提交" in j.text()
    assert j.page.inner_text("#status-appeal") == "复核中"
    j.seen("appealed")
    j.finish()


def _second_officer_decides(journey, case_number: str) -> None:
    j = journey("officer-who-refused", DESKTOP)
    j.log_in("officer")
    j.seen("dashboard", shots=False)
    j.nav("复核申请", group="个案办理")
    card = j.page.locator(".appeal-card", has_text=case_number)
    assert "此复核须由其他工作人员办理" in card.inner_text()
    j.seen("appeal-not-mine")
    j.finish()
    j = journey("second-officer", PHONE)
    j.log_in("reviewer")
    j.seen("dashboard", shots=False)
    j.nav("复核申请", group="个案办理")
    card = j.page.locator(".appeal-card", has_text=case_number)
    card.get_by_label("撤销原决定，重新办理").check()
    card.get_by_label("复核意见").fill("收入核算有误，撤销原决定，重新审批")
    j.seen("appeal-to-decide")
    j.button("办理复核", within=card)
    assert "复核已办理" in j.text()
    assert "待审批" in j.page.inner_text("#case-status")
    j.seen("appeal-decided")
    j.finish()

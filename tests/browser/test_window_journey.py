"""Every door in, by clicking: a resident files a complaint from the footer of a public page
and an officer answers it; a resident reads a town window's public page and downloads its wall
poster; an intake clerk enters a household with members and is warned of a duplicate."""
import io

import pytest
from pypdf import PdfReader

from tests.browser.journey import DESKTOP, PHONE
from tests.factories import make_id
from webapp.services.cases.household import MemberInput

pytestmark = pytest.mark.browser

COMPLAINT = "上个月在镇便民服务中心递交了临时救助申请，到现在还没有人联系我。"


@pytest.fixture
def door_data(db, demo_base, staff, reported_case):
    """Every town's window filled in, and an open case in 清平镇 whose household includes a
    member with a known ID number."""
    import random

    from webapp.demo import window
    window.load(db.session, random.Random(1), lambda s: None)
    member_id = make_id("19880808", 61)
    case = reported_case("清平镇", members=[MemberInput("刘海燕", "spouse", member_id)])
    data = {"member_id": member_id, "case_number": case.number}
    db.session.commit()
    db.session.remove()  # on SQLite a reading transaction would hold the write lock
    return data


def test_every_door_in(journey, door_data):
    number = _resident_complains(journey)
    _officer_answers(journey, number)
    _resident_reads_window_page(journey)
    _intake_enters_household(journey, door_data)


def _resident_complains(journey) -> str:
    j = journey("complaint", PHONE)
    j.page.goto(j.base + "/home")
    assert "0635-3951234" in j.page.inner_text("#supervision-footer")
    j.seen("home-footer")
    j.link("投诉与监督", within=j.page.locator("#supervision-footer"))
    j.seen("complaint-form")
    j.button("提交投诉")
    assert "请选择投诉类别" in j.text() and "请写明投诉内容" in j.text()
    j.seen("complaint-empty")
    j.page.get_by_label("投诉类别").select_option(label="办理超时、无人答复")
    j.page.get_by_label("涉及的镇（街道）").select_option(label="梁村镇")
    j.type("投诉内容", COMPLAINT)
    j.type("联系电话（选填，用于答复您）", "13912345678")
    j.button("提交投诉")
    number = j.page.inner_text("#complaint-number").strip()
    assert number.startswith("TS-")
    j.seen("complaint-filed")
    j.finish()
    return number


def _officer_answers(journey, number: str) -> None:
    j = journey("complaint-answer", DESKTOP)
    j.log_in("officer")
    j.seen("dashboard")
    j.nav("投诉监督", group="个案办理")
    j.seen("complaints")
    j.link(number)
    assert COMPLAINT in j.page.inner_text("#complaint-content")
    j.seen("complaint")
    j.button("提交答复")
    assert "请填写书面答复" in j.text()
    j.seen("answer-empty")
    j.type("书面答复", "已核实，镇窗口已于今日受理您的申请并安排入户核查，对延误向您致歉。")
    j.button("提交答复")
    assert "已答复" in j.page.inner_text("#complaint-status")
    assert "入户核查" in j.page.inner_text("#complaint-answer")
    j.seen("complaint-answered")
    j.finish()


def _resident_reads_window_page(journey) -> None:
    j = journey("window-page", PHONE)
    j.page.goto(j.base + "/home")
    j.seen("home", shots=False)
    j.link("镇（街道）受理窗口", within=j.page.locator("#supervision-footer"))
    j.seen("windows")
    j.link("梁村镇社会救助窗口")
    facts = j.page.inner_text("#window-facts")
    assert "梁村镇便民服务中心" in facts and "周一至周五" in facts
    duties = j.page.inner_text("#duties")
    assert "首问负责" in duties and "15 个工作日内" in duties
    j.seen("window-page")
    with j.page.expect_download() as download:
        j.page.get_by_role("link", name="下载上墙公示（A4 PDF）").click()
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert "梁村镇社会救助窗口" in text and "监督电话" in text
    j.finish()


def _intake_enters_household(journey, data: dict) -> None:
    j = journey("household", DESKTOP)
    j.log_in("intake")
    j.seen("dashboard", shots=False)
    j.nav("个案", group="个案办理")
    j.seen("cases", shots=False)
    j.link("登记新个案")
    j.type("姓名", "赵德胜")
    j.type("身份证号码", make_id("19800305", 62))
    j.page.get_by_label("急难类别").select_option(label="重大疾病")
    j.type("所需金额（元）", "9000")
    j.type("困难情况", "妻子刘海燕突发重病住院，儿子赵子涵正在读初中，医疗费缺口较大。")
    j.page.get_by_label("家庭人口").fill("4")
    rows = j.page.locator(".member-row")
    rows.nth(0).get_by_label("成员姓名").fill("刘海燕")
    rows.nth(0).get_by_label("与申请人关系").select_option(label="配偶")
    member_id = rows.nth(0).get_by_label("成员身份证号码（选填）")
    member_id.fill(data["member_id"])
    member_id.press("Tab")
    warning = rows.nth(0).locator(".js-duplicate")
    warning.wait_for(state="visible")
    assert data["case_number"] in warning.inner_text() and "清平镇" in warning.inner_text()
    rows.nth(1).get_by_label("成员姓名").fill("赵子涵")
    rows.nth(1).get_by_label("与申请人关系").select_option(label="子女")
    rows.nth(1).get_by_label("未成年人").check()
    j.button("再添加一位成员")
    rows.nth(2).get_by_label("成员姓名").fill("赵德")
    rows.nth(2).get_by_label("与申请人关系").select_option(label="父母")
    j.seen("household-typed")
    j.button("登记")
    alert = j.page.inner_text("#duplicate-warning")
    assert data["case_number"] in alert and "清平镇" in alert
    j.seen("duplicate-warning")
    j.page.get_by_label("我已核实，仍然登记").check()
    j.button("登记")
    members = j.page.inner_text("#members")
    assert "刘海燕" not in members and "赵子涵" not in members and "配偶" in members
    assert "父母" in members
    j.seen("case-with-members")
    j.finish()

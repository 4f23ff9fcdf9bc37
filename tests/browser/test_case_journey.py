"""An intake worker reports a case in a real browser, with checks as they type, and accepts it;
a department answers the transfer."""
import pytest

from tests.browser.conftest import login
from tests.factories import add_notice, make_id

pytestmark = pytest.mark.browser


NOTICE = ("一、用途：您的姓名、身份证号码、电话和住址只用于核实困难情况、审批和发放救助。\n"
          "二、保存：个案办结后按救助档案期限保存，期满删除。\n三、权利：您可以查阅、复制、更正。")


def _admin_publishes_the_notice(live_server, page, screenshot) -> None:
    """The county's administrator publishes the 告知同意 notice the window will show."""
    login(page, live_server, "admin")
    page.wait_for_selector("#dashboard-title")
    page.goto(f"{live_server}/rules/")
    page.click("#consent-link")
    assert "尚未发布现行的告知书" in page.inner_text("#consent-none")
    page.fill("#consent-new-body", NOTICE)
    page.click("#consent-publish-submit")
    page.wait_for_selector("#notice-title")
    assert "第 1 版" in page.inner_text("#notice-meta") and "现行" in page.inner_text("#notice-meta")
    assert "三、权利" in page.inner_text("#notice-body")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "consent-notice-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.context.clear_cookies()


def test_intake_worker_reports_and_accepts_case(live_server, page, screenshot, demo_base):
    _admin_publishes_the_notice(live_server, page, screenshot)
    login(page, live_server, "intake")
    page.wait_for_selector("#dashboard-title")
    page.goto(f"{live_server}/cases/new")
    good = make_id("19800305", 11)
    page.fill("#id_number", good[:-1] + ("0" if good[-1] != "0" else "1"))
    page.dispatch_event("#id_number", "blur")
    assert "校验位不正确" in page.inner_text("#intake-form")
    page.fill("#id_number", good)
    page.fill("#phone", "1381234")
    page.dispatch_event("#phone", "blur")
    assert "联系电话格式不正确" in page.inner_text("#intake-form")
    page.fill("#phone", "13812345678")
    page.fill("#name", "赵德胜")
    page.fill("#address", "梁村镇后刘村 8 号")
    page.check("#local_hukou-1")
    page.fill("#amount_needed", "12.345")
    page.dispatch_event("#amount_needed", "blur")
    assert "最多两位小数" in page.inner_text("#intake-form")
    page.fill("#amount_needed", "9000")
    page.select_option("#category", "traffic")
    page.fill("#description", "骑电动车途中遭遇交通事故致重伤，肇事方无力赔偿，医疗费缺口较大。")
    page.click("#intake-submit")  # the applicant has not yet been told of the notice
    page.wait_for_selector("#consent-fields .invalid-feedback")
    assert "未记录申请人已阅读并同意" in page.inner_text("#consent-fields")
    assert "第 1 版" in page.inner_text("#consent-notice-version")
    page.check("#consent_agreed")
    page.check("#consent_method-1")  # read aloud
    page.fill("#consent_proxy_name", "赵小龙")
    page.select_option("#consent_proxy_relation", "child")
    screenshot(page, "case-intake")
    page.click("#intake-submit")
    page.wait_for_selector("#case-number")
    consent_text = page.inner_text("#case-consent")
    assert "第 1 版" in consent_text and "口头同意" in consent_text and "赵小龙" not in consent_text
    assert "GT-" in page.inner_text("#case-number")
    assert "138****5678" in page.inner_text("#applicant")
    assert good not in page.content()
    page.click(".action-accept summary")
    page.click("#do-accept")
    page.wait_for_selector("#case-status")
    assert "已受理" in page.inner_text("#case-status")
    assert "梁村镇受理窗口" in page.inner_text("#case-owner")
    page.click("#reveal-button")
    page.wait_for_selector("#applicant-id")
    assert page.inner_text("#applicant-id") == good
    screenshot(page, "case-detail")


def test_department_answers_transfer(live_server, page, demo_base, db):
    from sqlalchemy import select

    from tests.factories import make_id as new_id
    from webapp.models import Organisation, User
    from webapp.services.cases import workflow
    from webapp.services.cases.intake import ApplicantInput, CaseInput, report_case
    from webapp.services.cases.settings import CaseSettings
    from webapp.services.consent import ConsentInput
    settings = CaseSettings()
    add_notice(db)
    intake = db.session.scalars(select(User).where(User.username == "intake")).one()
    org = {o.name: o.id for o in db.session.scalars(select(Organisation))}
    case = report_case(db.session, intake, CaseInput(
        applicant=ApplicantInput("钱学军", new_id("19900101", 12), "13912345678"),
        town_id=org["梁村镇"], category="other", amount_needed="1000",
        description="子女面临辍学，家庭基本生活难以为继。",
        consent=ConsentInput(1, True, "paper")), settings=settings)
    workflow.fire(db.session, intake, case, "accept", settings=settings)
    workflow.fire(db.session, intake, case, "transfer", settings=settings,
                  department_id=org["高唐县教育和体育局"], reason="请落实教育资助")
    number = case.number
    db.session.commit()
    login(page, live_server, "dept")
    page.wait_for_selector("#dashboard-title")
    assert "待答复转办" in page.inner_text("body")
    page.goto(f"{live_server}/cases/transfers")
    assert number in page.inner_text(".transfer-card")
    page.fill(".transfer-card textarea", "已纳入教育资助名单")
    page.click(".transfer-card button[type=submit]")
    page.wait_for_selector("#transfers-title")
    assert "已答复转办" in page.inner_text("body")

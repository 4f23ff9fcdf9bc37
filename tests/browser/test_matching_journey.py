"""An officer runs a matching batch in a real browser, and another officer approves the
top proposal with an edited amount."""
import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def scenario(db, demo_base, make_user):
    """A published illness need in 梁村镇, the medical project serving it, a second officer."""
    import datetime as dt
    from decimal import Decimal

    from sqlalchemy import select

    from webapp.models import (
        Case,
        CaseStatus,
        Category,
        ListingStatus,
        NeedCard,
        NeedStatus,
        Organisation,
        Project,
        Role,
        utcnow,
    )
    from webapp.services import ledger
    org = {o.name: o for o in db.session.scalars(select(Organisation))}
    make_user(Role.OFFICER, organisation=org[demo_base.BUREAU], username="officer2",
              password="jiujinan-demo")
    town = org["梁村镇"]
    case = Case(number="GT-2026-880001", town_id=town.id, category=Category.SERIOUS_ILLNESS,
                urgency=3, amount_needed=Decimal(8000), status=CaseStatus.PUBLISHED,
                reported_at=utcnow() - dt.timedelta(days=5), approved_at=utcnow())
    db.session.add(case)
    db.session.flush()
    db.session.add(NeedCard(case_id=case.id, status=NeedStatus.PUBLISHED,
                            title="重病家庭急需住院医疗费用", story="突发重病住院手术，医疗费用缺口较大。",
                            category=Category.SERIOUS_ILLNESS, area=town.name, town_id=town.id,
                            urgency=3, amount_needed=Decimal(8000), published_at=utcnow()))
    project = Project(organisation_id=org["高唐县慈善总会"].id, title="梁村镇大病医疗救助项目",
                      description="为梁村镇重病住院家庭补助手术和住院医疗费用。",
                      categories="serious_illness", towns=str(town.id),
                      budget=Decimal(50000), per_case_cap=Decimal(5000),
                      status=ListingStatus.LISTED)
    db.session.add(project)
    db.session.flush()
    # the budget is a promise; the charity's allocation into the project is money held
    ledger.top_up(db.session, None, source="project", source_id=project.id, amount="50000",
                  reference="慈善组织拨付项目资金")
    db.session.commit()


def test_officer_runs_a_batch_and_another_approves(live_server, page, screenshot, scenario, db):
    from webapp.services import jobs
    login(page, live_server, "officer")
    page.wait_for_selector("#dashboard-title")
    page.goto(f"{live_server}/matching/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#run-matching")
    page.wait_for_selector("#run-status")
    jobs.run_pending(db.session)  # the worker, outside the request
    page.click("#refresh-run")
    page.wait_for_selector("#run-report")
    assert "生成建议" in page.inner_text("#run-report")
    screenshot(page, "matching-run")

    page.context.clear_cookies()
    login(page, live_server, "officer2")
    page.wait_for_selector("#dashboard-title")
    page.goto(f"{live_server}/matching/")
    row = page.locator("tr.proposal").first
    assert "梁村镇大病医疗救助项目" in row.inner_text()
    assert "本镇资源" in row.inner_text()
    row.locator("input.match-amount").fill("3000")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button[id^=approve-]").click()
    page.wait_for_selector(".alert-success")
    assert "已批准匹配建议" in page.inner_text("main")
    assert "暂无待审批的匹配建议" in page.inner_text("main")
    screenshot(page, "matching-approved")

"""An officer runs a matching batch in a real browser, and another officer approves the
top proposal with an edited amount."""
import pytest

from tests.browser.journey import DESKTOP, PHONE

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


def test_officer_runs_a_batch_and_another_approves(journey, scenario, db):
    from webapp.services import jobs
    j = journey("officer", DESKTOP)
    j.log_in("officer")
    j.seen("dashboard")
    j.nav("匹配建议", group="资源与资金")
    assert "双人审核" in j.text()
    j.seen("proposals-empty")
    j.button("运行匹配", confirm=True)
    j.page.wait_for_selector("#run-status")
    j.seen("run-queued")
    jobs.run_pending(db.session)  # the worker, outside the request
    j.click(j.page.locator("#refresh-run"))
    assert "生成建议" in j.page.inner_text("#run-report")
    j.seen("run-done")
    j.nav("匹配建议", group="资源与资金")
    row = j.page.locator("tr.proposal").first
    assert "请由另一位工作人员审批" in row.inner_text()
    assert row.get_by_role("button", name="批准").count() == 0
    j.seen("proposals-own-run")
    j.finish()

    j = journey("officer2", PHONE)
    j.log_in("officer2")
    j.seen("dashboard")
    j.nav("匹配建议", group="资源与资金")
    row = j.page.locator("tr.proposal").first
    assert "梁村镇大病医疗救助项目" in row.inner_text()
    assert "本镇资源" in row.inner_text()
    j.seen("proposals")
    row.get_by_label("批准数额").fill("3000")
    j.button("批准", within=row, confirm=True)
    assert "已批准匹配建议" in j.text()
    assert "暂无待审批的匹配建议" in j.text()
    j.seen("approved")
    j.finish()

"""An officer runs a batch in Chromium and reads why: the score's terms adding up on the
proposals page, and on the run page the skipped need with its case number, the rule counts,
the competing case and the fairness table; at desktop and phone width."""
import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def scarce_fund(db, demo_base):
    """Two fire cases in 梁村镇 (one critical) and a fire fund with room for one of them."""
    import datetime as dt
    from decimal import Decimal

    from sqlalchemy import select

    from webapp.models import (
        Case,
        CaseStatus,
        Category,
        Fund,
        ListingStatus,
        NeedCard,
        NeedStatus,
        Organisation,
        utcnow,
    )
    from webapp.services import ledger
    org = {o.name: o for o in db.session.scalars(select(Organisation))}
    town = org["梁村镇"]
    for number, urgency, title in (("GT-2026-770001", 4, "火灾家庭急需生活物资"),
                                   ("GT-2026-770002", 2, "火灾家庭需要修缮房屋")):
        case = Case(number=number, town_id=town.id, category=Category.FIRE, urgency=urgency,
                    amount_needed=Decimal(3000), status=CaseStatus.PUBLISHED,
                    reported_at=utcnow() - dt.timedelta(days=4), approved_at=utcnow())
        db.session.add(case)
        db.session.flush()
        db.session.add(NeedCard(case_id=case.id, status=NeedStatus.PUBLISHED, title=title,
                                story="住房失火，衣物口粮被烧毁。", category=Category.FIRE,
                                area=town.name, town_id=town.id, urgency=urgency,
                                amount_needed=Decimal(3000), published_at=utcnow()))
    fund = Fund(organisation_id=org["鲁西爱心实业有限公司"].id, title="火灾救急基金",
                description="火灾受灾家庭生活救助。", categories="fire", towns="",
                capital=Decimal(3000), per_case_cap=Decimal(3000), status=ListingStatus.LISTED)
    db.session.add(fund)
    db.session.flush()
    # The fund holds what the company transferred into it, not the capital typed in the form.
    ledger.top_up(db.session, None, source="fund", source_id=fund.id, amount="3000",
                  reference="企业转入基金")
    db.session.commit()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_officer_reads_why_on_the_run_and_proposals_pages(live_server, page, screenshot,
                                                          scarce_fund, db, size):
    from webapp.services import jobs
    page.set_viewport_size(SIZES[size])
    login(page, live_server, "officer")
    page.wait_for_selector("#dashboard-title")
    page.goto(f"{live_server}/matching/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#run-matching")
    page.wait_for_selector("#run-status")
    jobs.run_pending(db.session)  # the worker, outside the request
    page.click("#refresh-run")
    page.wait_for_selector("#run-report")

    fairness = page.inner_text("#fairness")
    assert "梁村镇" in fairness and "火灾" in fairness and "50%" in fairness
    skipped = page.locator("tr.skipped-need")
    assert skipped.count() == 1
    text = skipped.first.inner_text()
    assert "GT-2026-770002" in text  # the need left out, by its case number
    assert "资源额度已被其他需求用完" in text and "GT-2026-770001" in text  # who took it
    assert "没有符合条件的资源" not in text
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, f"matching-run-reasons-{size}")

    page.click("text=查看匹配建议")
    page.wait_for_selector("tr.proposal")
    header = page.inner_text(".need-group .card-header")
    assert "特急" in header and "紧急程度 4" not in header
    terms = page.locator(".match-reasons li")
    values = [float(t.split()[-1]) for t in terms.all_inner_texts()[:-1]]
    total = float(terms.last.inner_text().split()[-1])
    assert values == sorted(values, reverse=True)  # largest first
    assert abs(sum(values) - total) <= 0.0005 * len(values)  # the terms add up to the score
    assert "专为此类情况设立" in page.inner_text(".match-reasons") or "专项对口" in page.inner_text(
        ".match-reasons")
    screenshot(page, f"matching-explained-{size}")

"""An officer finds a waiting case from the 待受理 tile and by the applicant's name or a fragment
of the case number, sees its story masked, and reveals it (desktop and phone width)."""
import pytest

from tests.browser.conftest import login
from tests.factories import add_notice, make_id

pytestmark = pytest.mark.browser

STORY = "申请人赵德胜骑电动车途中遭遇交通事故致重伤，联系电话13912345678，医疗费缺口较大。"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def waiting_cases(app, db, demo_base):
    from sqlalchemy import select

    from webapp.models import Organisation, User
    from webapp.services.cases.intake import ApplicantInput, CaseInput, report_case
    from webapp.services.cases.settings import CaseSettings
    from webapp.services.consent import ConsentInput
    add_notice(db)
    intake = db.session.scalars(select(User).where(User.username == "intake")).one()
    town = db.session.scalars(select(Organisation).where(Organisation.name == "梁村镇")).one()
    numbers = []
    for i, (name, story) in enumerate([("赵德胜", STORY), ("钱学军", "子女面临辍学，家庭基本生活难以为继。")]):
        case = report_case(db.session, intake, CaseInput(
            applicant=ApplicantInput(name, make_id("19800305", 40 + i), "13912345678"),
            town_id=town.id, category="traffic", amount_needed="9000", description=story,
            consent=ConsentInput(1, True, "paper")),
            settings=CaseSettings.from_config(app.config))
        numbers.append(case.number)
    db.session.commit()
    return numbers


@pytest.mark.parametrize("width", VIEWPORTS)
def test_officer_finds_case_and_reveals_its_story(live_server, browser, screenshot,
                                                  waiting_cases, width):
    wanted, other = waiting_cases
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[width])
    page = context.new_page()
    try:
        login(page, live_server, "officer")
        page.wait_for_selector("#dashboard-title")
        page.click(".card:has(a[aria-label='待受理'])")  # the tile, as a person clicks it
        page.wait_for_selector("#case-table")
        assert wanted in page.inner_text("#case-table") and other in page.inner_text("#case-table")
        page.fill("#case-search", "赵德胜")
        page.click("#case-filter-submit")
        page.wait_for_selector("#case-table")
        assert wanted in page.inner_text("#case-table")
        assert other not in page.inner_text("#case-table")
        screenshot(page, f"case-search-name-{width}")
        page.fill("#case-search", other[-3:])
        page.click("#case-filter-submit")
        page.wait_for_selector("#case-table")
        assert other in page.inner_text("#case-table")
        assert wanted not in page.inner_text("#case-table")
        page.fill("#case-search", "赵德胜")
        page.click("#case-filter-submit")
        page.click(f"#case-table a:has-text('{wanted}')")
        page.wait_for_selector("#case-description")
        story = page.inner_text("#case-description")
        assert "赵德胜" not in story and "13912345678" not in story and "【姓名】" in story
        assert page.is_visible("#description-masked")
        screenshot(page, f"case-story-masked-{width}")
        page.click("#reveal-button")
        page.wait_for_selector("#applicant-id")
        assert page.inner_text("#case-description") == STORY
        assert not page.is_visible("#description-masked")
        screenshot(page, f"case-story-revealed-{width}")
    finally:
        context.close()

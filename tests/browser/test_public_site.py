"""The public site in a real browser at phone (390px) and desktop (1280px) widths."""
import random

import pytest

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def demo_resources(db, demo_base):
    from webapp.demo import resources
    resources.load(db.session, random.Random(3), lambda s: None)
    db.session.commit()


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_public_home_and_projects(live_server, page, screenshot, demo_resources, width):
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"{live_server}/")
    page.wait_for_selector("#home-title")
    assert page.locator("#featured-projects .card").count() > 0
    assert _no_horizontal_scroll(page)
    screenshot(page, f"public-home-{width}")
    page.goto(f"{live_server}/projects")
    page.select_option("#f-category", "fire")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("#project-list")
    assert "category=fire" in page.url
    page.locator("#project-list .card a").first.click()
    page.wait_for_selector("#project-progress")
    assert _no_horizontal_scroll(page)
    screenshot(page, f"public-project-{width}")


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_public_transparency_draws_charts(live_server, page, screenshot, demo_resources,
                                          width):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"{live_server}/transparency")
    page.wait_for_selector("#chart-sources[data-rendered='1']")
    page.wait_for_selector("#chart-towns[data-rendered='1']")
    page.wait_for_selector("#chart-categories[data-rendered='1']")
    total = page.inner_text("#money-total")
    for name in ("sources", "towns", "categories"):  # each chart has a table with one total
        assert page.inner_text(f"#table-{name} tfoot td") == total
    page.click("#transparency-period + details summary")
    with page.expect_download() as download:
        page.click("#csv-towns")
    assert download.value.suggested_filename == "transparency-towns.csv"
    assert errors == []
    assert _no_horizontal_scroll(page)
    screenshot(page, f"public-transparency-{width}")


def test_public_donor_pledges_to_project(live_server, page, screenshot, demo_resources):
    from tests.browser.conftest import login
    page.set_viewport_size(WIDTHS["phone"])
    login(page, live_server, "donor")
    page.wait_for_selector("#dashboard-title")
    page.goto(f"{live_server}/projects")
    page.locator("#project-list .card a").first.click()
    page.click("#pledge-button")
    page.fill("#amount", "200")
    page.click("#pledge-form button[type=submit]")
    page.wait_for_selector("#pledge-confirmation")
    screenshot(page, "public-pledge-confirmation-phone")
    page.goto(f"{live_server}/my/pledges")
    assert page.locator("#my-pledges tbody tr").count() >= 1

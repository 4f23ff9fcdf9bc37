"""The officer logs in through a real browser and sees the dashboard."""
import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_officer_logs_in_and_sees_dashboard(live_server, page, screenshot, demo_base):
    login(page, live_server, "officer")
    page.wait_for_selector("#dashboard-title")
    assert "工作台" in page.inner_text("#dashboard-title")
    assert "民政局王科长" in page.inner_text("body")
    screenshot(page, "officer-dashboard")


def test_wrong_password_shows_chinese_message(live_server, page, demo_base):
    login(page, live_server, "officer", "wrong-password")
    assert "用户名或密码错误" in page.inner_text("body")


def test_logout_ends_the_session(live_server, page, demo_base):
    login(page, live_server, "donor")
    page.wait_for_selector("#dashboard-title")
    page.click("#user-menu")
    page.click("#logout-button")
    page.goto(f"{live_server}/dashboard")
    assert "/auth/login" in page.url

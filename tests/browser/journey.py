"""Helpers for journeys that click what a person sees: the menu (collapsed at phone width),
links and buttons by their visible text, and screenshots at desktop and phone width."""
from __future__ import annotations

from tests.browser.conftest import ARTIFACTS

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def open_menu(page) -> None:
    """Open the collapsed navigation (phone width) so its links can be clicked."""
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.locator("#mainnav.show").wait_for()


def click_nav(page, label: str, group: str | None = None) -> None:
    """Click a menu entry by its visible label, opening its group's dropdown first."""
    open_menu(page)
    nav = page.locator("#mainnav")
    if group is not None:
        nav.get_by_role("button", name=group, exact=True).click()
    nav.get_by_role("link", name=label, exact=True).first.click()
    page.wait_for_load_state()


def log_in(page, base: str, username: str, password: str = "jiujinan-demo") -> None:
    """Go to the home page, click 登录 and type the credentials."""
    page.goto(base + "/")
    open_menu(page)
    page.locator("#mainnav").get_by_role("link", name="登录", exact=True).click()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("#login-form").get_by_role("button").click()
    page.wait_for_load_state()


def log_out(page) -> None:
    open_menu(page)
    page.click("#user-menu")
    page.click("#logout-button")
    page.wait_for_load_state()


def shoot(page, name: str) -> None:
    """A full-page screenshot at the current width."""
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


def main_text(page) -> str:
    return page.inner_text("main")

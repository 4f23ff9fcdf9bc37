"""Journeys that click what a person sees.

``Journey`` opens a browser context at one width, logs in through the visible form, clicks
the menu (collapsed at phone width) and links and buttons by their visible text, and after
each step ``seen`` runs axe-core (WCAG 2.1 A/AA: no serious or critical violation) and saves
screenshots at desktop and phone width under tests/artifacts/. Every page the journey loads
must have been checked by ``seen`` before it ends (``finish``)."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import ARTIFACTS, PRESENTATION, SCREENSHOTS

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def _path(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[-1].split("#", 1)[0]


class Journey:
    def __init__(self, browser, base: str, viewport: dict, name: str):
        self.base, self.name, self.viewport = base, name, viewport
        # Reduced motion: Bootstrap then draws no colour transitions, so axe-core measures
        # the colours a person finally sees, not a frame in between.
        self.context = browser.new_context(locale="zh-CN", viewport=viewport,
                                           reduced_motion="reduce")
        self.page = self.context.new_page()
        self.page.set_default_timeout(10000)
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        self.page.on("load", lambda p: self.loaded.append(_path(p.url)))
        self.steps = 0

    # ---------------------------------------------------------------- moving around
    def open_menu(self) -> None:
        toggler = self.page.locator("button.navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            self.page.locator("#mainnav.show").wait_for()

    def nav(self, label: str, group: str | None = None) -> None:
        """Click a menu entry by its label, opening its group's dropdown first when the
        menu gathers that role's entries in groups."""
        self.open_menu()
        menu = self.page.locator("#mainnav")
        link = menu.get_by_role("link", name=label, exact=True).first
        toggle = menu.get_by_role("button", name=group, exact=True) if group else None
        if toggle is not None and toggle.count():
            toggle.click()
        elif not link.is_visible():
            # As a person would: open the dropdown whose list holds the entry.
            entry = self.page.locator("a.dropdown-item").filter(
                has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
            holder = menu.locator("li.dropdown").filter(has=entry)
            holder.locator(".dropdown-toggle").first.click()
        link.click()
        self.page.wait_for_load_state()

    def click(self, locator) -> None:
        locator.click()
        self.page.wait_for_load_state()

    def link(self, name: str, *, within=None) -> None:
        self.click((within or self.page).get_by_role("link", name=name).first)

    def button(self, name: str, *, within=None, confirm: bool = False) -> None:
        if confirm:
            self.page.once("dialog", lambda dialog: dialog.accept())
        self.click((within or self.page).get_by_role("button", name=name, exact=True).first)

    def type(self, label: str, text: str) -> None:
        self.page.get_by_label(label, exact=True).fill(text)

    def log_in(self, username: str, password: str = "jiujinan-demo") -> None:
        self.page.goto(self.base + "/")
        self.seen("home", shots=False)
        self.open_menu()
        self.click(self.page.locator("#mainnav").get_by_role("link", name="登录", exact=True))
        self.seen("login", shots=False)
        self.type("用户名", username)
        self.type("密码", password)
        self.click(self.page.locator("#login-form").get_by_role("button"))

    def log_out(self) -> None:
        self.open_menu()
        self.page.click("#user-menu")
        self.click(self.page.locator("#logout-button"))

    # ---------------------------------------------------------------- what is seen
    def text(self) -> str:
        return self.page.inner_text("main")

    def seen(self, step: str, *, shots: bool = True) -> None:
        """Check the page as it is now: accessible, no sideways scrolling; screenshots at
        both widths unless ``shots`` is false (the home and login pages every journey
        passes through)."""
        page = self.page
        page.wait_for_load_state()
        if PRESENTATION:
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                page.evaluate(AXE.read_text(encoding="utf-8"))  # CSP allows no injected <script>
            violations = page.evaluate(_AXE_RUN, AXE_TAGS)
            assert violations == [], f"{self.name}/{step} {page.url}: {violations}"
        self._fits(step, self.viewport)
        self.checked.add(_path(page.url))
        if not shots:
            return
        self.steps += 1
        stem = f"journey-{self.name}-{self.steps:02d}-{step}"
        other = PHONE if self.viewport == DESKTOP else DESKTOP
        for size in (self.viewport, other):
            if size is other:
                page.set_viewport_size(other)
                self._fits(step, other)
            if SCREENSHOTS:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{stem}-{size['width']}.png"),
                                full_page=True)
        page.set_viewport_size(self.viewport)

    def _fits(self, step: str, size: dict) -> None:
        """No sideways scrolling at this width, once the page has laid itself out again:
        after a resize, charts redraw for the new width when their ResizeObserver fires,
        which on a busy machine can take a while, so this waits up to 5 s for the page to
        fit before it reads the width."""
        limit = size["width"] + 1
        try:
            self.page.wait_for_function(
                "limit => document.documentElement.scrollWidth <= limit", arg=limit,
                timeout=5000)
        except PlaywrightTimeout:
            pass  # the assertion below reports the width
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"] + 1, f"{step} at {size['width']}px: page is {width}px wide"

    def finish(self) -> None:
        unchecked = sorted(set(self.loaded) - self.checked)
        self.context.close()
        assert unchecked == [], f"pages loaded but never checked: {unchecked}"

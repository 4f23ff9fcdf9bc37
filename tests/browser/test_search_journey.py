"""A visitor searches from the navbar, narrows by facets, and still gets answers when the
search engine's directory is gone."""
import shutil

import pytest

from tests.webapp.search.conftest import (  # noqa: F401  (fixtures)
    demo_like,
    officer,
    publish,
)

pytestmark = pytest.mark.browser


def _search_from_navbar(page, base: str, text: str) -> None:
    page.goto(f"{base}/")
    box = page.locator("nav input[name=q]")
    box.fill(text)
    box.press("Enter")
    page.wait_for_selector("#search-results")


@pytest.mark.usefixtures("demo_like")
def test_visitor_searches_and_narrows_by_facet(live_server, page, screenshot):
    _search_from_navbar(page, live_server, "梁村镇")
    kinds = {page.get_attribute(f"#search-hits li:nth-child({n})", "data-kind")
             for n in range(1, page.locator("#search-hits li").count() + 1)}
    assert {"need", "project"} <= kinds
    page.click('[data-facet="kind"] a:has-text("急难需求")')
    page.wait_for_selector(".search-active")
    assert "kind=need" in page.url
    assert page.locator("#search-hits li").count() == 2
    assert page.locator("#search-hits mark").count() >= 1
    screenshot(page, "search-results")
    page.click(".search-active")
    page.wait_for_selector("#search-hits")
    assert "kind=" not in page.url


@pytest.mark.usefixtures("demo_like")
def test_visitor_sees_helpful_empty_state(live_server, page):
    _search_from_navbar(page, live_server, "完全不存在的词语组合")
    assert "没有找到相关结果" in page.inner_text("#search-results")


@pytest.mark.usefixtures("demo_like")
def test_visitor_gets_database_results_when_index_is_gone(app, live_server, page):
    shutil.rmtree(app.extensions["search_backend"].root)
    _search_from_navbar(page, live_server, "白血病")
    assert "搜索引擎暂不可用" in page.inner_text("#search-fallback")
    assert page.locator("#search-hits li").count() == 1


@pytest.mark.usefixtures("demo_like")
@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_visitor_types_pinyin_picks_a_suggestion_and_follows_did_you_mean(
        live_server, browser, screenshot, width, height):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        if width > 1000:  # the navbar box, on every page
            page.goto(f"{live_server}/")
            box = page.locator("nav input[name=q]")
        else:  # on a phone the navbar is collapsed: the results page's own box
            page.goto(f"{live_server}/search")
            box = page.locator("#search-q")
        box.press_sequentially("baix", delay=30)
        listbox = page.locator("[role=listbox]:visible")
        # Waits for the answer to the whole word: on a busy machine the key
        # presses can be slower than the debounce, so the list may first show
        # the suggestions for "b" or "ba".
        listbox.locator("[role=option]", has_text="白血病").first.wait_for()
        assert box.get_attribute("aria-expanded") == "true"
        screenshot(page, f"search-suggest-{width}")
        box.press("ArrowDown")
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant")
        page.locator("[role=option]:visible", has_text="白血病").first.click()
        page.wait_for_selector("#search-hits")
        assert "q=%E7%99%BD%E8%A1%80%E7%97%85" in page.url
        assert page.locator("#search-hits mark").count() >= 1
        # A homophone typo finds nothing and offers the word it sounds like.
        page.goto(f"{live_server}/search?q=梁村镇白雪病")
        link = page.locator("#search-did-you-mean a")
        assert link.inner_text() == "梁村镇白血病"
        screenshot(page, f"search-did-you-mean-{width}")
        link.click()
        page.wait_for_selector("#search-hits")
        assert page.locator("#search-hits li").count() >= 1
    finally:
        context.close()

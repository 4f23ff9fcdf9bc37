"""A charity publishes a project and an officer approves it, all by clicking in Chromium.

Item 1 of issue 13: 通过并公开 used to send no ``decision`` because every submit button was
disabled inside the submit handler, so the listing was rejected instead of going public."""
import pytest

from tests.browser.journey import DESKTOP, PHONE, click_nav, log_in, log_out, main_text, shoot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_officer_clicks_approve_and_the_project_is_public(live_server, browser, demo_base,
                                                           viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(8000)
    try:
        log_in(page, live_server, "charity")
        click_nav(page, "我的项目")
        page.get_by_role("link", name="新建慈善项目").click()
        page.get_by_label("名称").fill("尹集镇火灾受灾家庭帮扶")
        page.get_by_label("说明").fill("为火灾受灾家庭提供生活物资。")
        page.get_by_label("火灾").check()
        page.get_by_label("总预算（元）").fill("50000")
        page.get_by_role("button", name="保存").click()
        page.get_by_role("button", name="提交审核").click()
        assert "正在等待民政部门审核" in main_text(page)
        log_out(page)

        log_in(page, live_server, "officer")
        click_nav(page, "上架审核", group="资源与资金")
        page.locator("#review-table tr", has_text="尹集镇火灾受灾家庭帮扶").get_by_role(
            "link", name="审核").click()
        shoot(page, "review-detail")
        page.get_by_role("button", name="通过并公开").click()
        assert "已通过，信息已向社会公开" in main_text(page)
        assert "没有待审核的申请" in main_text(page)
        log_out(page)

        click_nav(page, "慈善项目")
        assert "尹集镇火灾受灾家庭帮扶" in main_text(page)
        page.get_by_role("link", name="尹集镇火灾受灾家庭帮扶").first.click()
        assert "¥50,000.00" in main_text(page)
        shoot(page, "project-public")
    finally:
        context.close()

"""Resource owners publish by clicking, and an officer approves what they submit.

Item 1 of issue 13: 通过并公开 used to send no ``decision`` because every submit button was
disabled inside the submit handler, so the listing was rejected instead of going public."""
import pytest

from tests.browser.journey import DESKTOP, PHONE

pytestmark = pytest.mark.browser


def test_charity_submits_officer_clicks_approve_and_the_project_is_public(journey, demo_base):
    j = journey("charity", DESKTOP)
    j.log_in("charity")
    j.seen("dashboard")
    j.nav("我的项目")
    j.seen("projects")
    j.link("新建慈善项目")
    j.seen("new-project")
    j.type("名称", "尹集镇火灾受灾家庭帮扶")
    j.type("说明", "为火灾受灾家庭提供生活物资。")
    j.page.get_by_label("火灾").check()
    j.type("总预算（元）", "50000")
    j.button("保存")
    j.seen("project-draft")
    j.button("提交审核")
    assert "正在等待民政部门审核" in j.text()
    j.seen("project-submitted")
    j.finish()

    j = journey("officer-review", DESKTOP)
    j.log_in("officer")
    j.seen("dashboard")
    j.nav("上架审核", group="资源与资金")
    j.seen("review-queue")
    j.link("审核", within=j.page.locator("#review-table tr", has_text="尹集镇火灾受灾家庭帮扶"))
    fields = j.page.inner_text("#review-fields")
    assert "火灾" in fields and "¥50,000.00" in fields and "fire" not in fields
    j.seen("review-detail")
    j.button("通过并公开")
    assert "已通过，信息已向社会公开" in j.text()
    assert "没有待审核的申请" in j.text()
    j.seen("review-done")
    j.log_out()
    j.nav("慈善项目")
    assert "尹集镇火灾受灾家庭帮扶" in j.text()
    j.seen("public-projects")
    j.link("尹集镇火灾受灾家庭帮扶")
    assert "¥50,000.00" in j.text()
    j.seen("public-project")
    j.finish()


@pytest.mark.parametrize("username, menu, new, title, fill", [
    ("fundmgr", "我的基金", "新建公益基金", "鲁西爱心救急基金", {"基金规模（元）": "200000"}),
    ("volunteer", "我的服务", "新建志愿服务", "周末陪护就医服务", {"每周可服务小时数": "6", "陪护就医": True}),
], ids=["fund-manager", "volunteer"])
def test_owner_creates_and_submits_a_listing(journey, demo_base, username, menu, new, title,
                                             fill):
    j = journey(username, PHONE)
    j.log_in(username)
    j.seen("dashboard")
    j.nav(menu)
    j.seen("listings")
    j.link(new)
    j.seen("new")
    j.type("名称", title)
    j.type("说明", "面向全县急难家庭。")
    for label, value in fill.items():
        if value is True:
            j.page.get_by_label(label, exact=True).check()
        else:
            j.type(label, value)
    j.button("保存")
    assert "草稿" in j.page.inner_text("#listing-status")
    j.seen("draft")
    j.button("提交审核")
    assert "正在等待民政部门审核" in j.text()
    j.seen("submitted")
    j.nav(menu)
    assert title in j.text() and "待审核" in j.text()
    j.seen("listings-after")
    j.finish()

"""The public donor: finds a need, pledges by clicking, and sees it on the need; 长辈模式."""
import pytest

from tests.browser.journey import PHONE

pytestmark = pytest.mark.browser


def test_donor_pledges_to_a_need_and_sees_it_counted(journey, db, published_need):
    published_need()
    db.session.remove()  # the live server's threads get the database to themselves
    j = journey("donor", PHONE)
    j.log_in("donor")
    j.seen("dashboard")
    j.nav("急难需求")
    j.seen("needs")
    j.link("重病家庭急需住院医疗费用")
    j.seen("need")
    assert "¥8,000.00" in j.text()
    j.link("我要帮助")
    j.seen("pledge-form")
    j.type("认捐金额（元）", "500")
    j.button("确认认捐")
    assert "感谢您的爱心" in j.text()
    j.seen("pledge-confirmed")
    j.link("我的捐助", within=j.page.locator("main"))
    assert "重病家庭急需住院医疗费用" in j.text()
    j.seen("my-pledges")
    j.nav("急难需求")
    j.link("重病家庭急需住院医疗费用")
    # A pledge counts against the gap once its receiver confirms it; until then the page
    # shows it as awaiting confirmation, and the gap is unchanged.
    progress = j.page.inner_text("#need-progress")
    assert "待确认认捐\n¥500.00" in progress and "尚缺\n¥8,000.00" in progress
    j.seen("need-after-pledge")
    j.finish()


def test_elder_mode_is_remembered_at_phone_width(journey, db, published_need):
    published_need()
    db.session.remove()
    j = journey("elder", PHONE)
    j.page.goto(j.base + "/")
    j.seen("home")
    before = j.page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    toggle = j.page.get_by_role("button", name="长辈模式")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    after = j.page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert after >= before * 1.2
    j.seen("home-elder")
    j.open_menu()
    j.page.locator("#mainnav").get_by_role("link", name="急难需求", exact=True).click()
    j.page.wait_for_load_state()
    assert j.page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == after
    assert j.page.get_by_role("button", name="长辈模式").get_attribute("aria-pressed") == "true"
    j.seen("needs-elder")
    j.page.get_by_role("button", name="长辈模式").click()
    j.page.reload()
    assert j.page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == before
    j.seen("needs-normal")
    j.finish()

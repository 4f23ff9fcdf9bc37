"""Supervision by clicking: the officer issues an order from the board about an overdue case,
the town window replies on a phone, the administrator changes a time limit (and is told
plainly when a limit is negative, and schedules a scheme's new standards from a later date)."""
import datetime as dt

import pytest

from tests.browser.journey import DESKTOP, PHONE

pytestmark = pytest.mark.browser


def test_order_from_the_board_reply_and_rule_change(journey, db, staff, reported_case,
                                                     listed_scheme):
    from webapp.models import utcnow
    case = reported_case(actions=["accept"], now=utcnow() - dt.timedelta(days=40))
    number = case.number
    listed_scheme(high="3000")
    db.session.remove()  # on SQLite a reading transaction would hold the write lock
    _officer_issues(journey, number)
    _town_window_replies(journey, number)
    _admin_changes_a_limit(journey)


def _officer_issues(journey, number: str) -> None:
    j = journey("order-officer", DESKTOP)
    j.log_in("officer")
    j.seen("dashboard", shots=False)
    j.nav("督查督办", group="个案办理")
    assert "没有未办结的督办单" in j.text()
    row = j.page.locator("#overdue-table tbody tr", has_text=number).first
    j.seen("board")
    j.link("发督办单", within=row)
    assert "梁村镇" in j.page.inner_text("#recipient_id")
    j.seen("order-form")
    j.button("发出督办单")   # nothing typed: the browser asks for the request first
    assert j.page.locator("#request:invalid").count() == 1
    j.type("督办要求", "核查已超期，请于期限内说明原因并办结")
    j.button("发出督办单")
    card = j.page.locator(".order-card", has_text=number)
    assert "提醒" in card.inner_text() and "待答复" in card.inner_text()
    j.seen("order-issued")
    j.nav("督查督办", group="个案办理")
    orders = j.page.locator("#open-orders").inner_text()
    assert number in orders and "提醒" in orders
    j.seen("board-with-order")
    j.finish()


def _town_window_replies(journey, number: str) -> None:
    j = journey("order-town", PHONE)
    j.log_in("intake")
    j.seen("dashboard")
    j.nav("督办单", group="个案办理")
    card = j.page.locator(".order-card", has_text=number)
    assert "核查已超期" in card.inner_text()
    j.seen("orders")
    card.get_by_label("答复内容").fill("已入户核查，材料补齐后今日提交审批")
    j.button("提交答复", within=card)
    assert "已答复督办单" in j.text()
    card = j.page.locator(".order-card", has_text=number)
    assert "已答复" in card.inner_text() and "今日提交审批" in card.inner_text()
    j.seen("order-replied")
    j.link(number, within=card)
    assert "答复督办单" in j.page.inner_text("#timeline")
    j.seen("case-timeline")
    j.finish()


def _admin_changes_a_limit(journey) -> None:
    j = journey("rules-admin", DESKTOP)
    j.log_in("admin")
    j.seen("dashboard", shots=False)
    j.nav("县级规则", group="系统管理")
    row = j.page.locator("#rule-limit-transfer")
    assert "3" in row.locator(".rule-value").inner_text()
    j.seen("rules")
    row.get_by_label("新值").fill("-1")
    j.button("保存", within=row)
    assert "应在 1 到 60 之间" in j.page.inner_text("#rules-error")
    j.seen("rule-refused")
    row = j.page.locator("#rule-limit-transfer")
    assert "3" in row.locator(".rule-value").inner_text()
    row.get_by_label("新值").fill("5")
    j.button("保存", within=row)
    assert "规则已保存" in j.text()
    assert "5" in j.page.locator("#rule-limit-transfer .rule-value").inner_text()
    j.seen("rule-saved", shots=False)
    from webapp.models import utcnow
    from webapp.services.cases.deadlines import local_date
    later = local_date(utcnow()) + dt.timedelta(days=7)
    row = j.page.locator("#schemes-table tbody tr", has_text="临时救助（测试）")
    row.get_by_label("上限（元）").fill("2000")
    row.get_by_label("生效日期").fill(later.isoformat())
    j.button("保存", within=row)
    assert "救助标准已保存" in j.text()
    row = j.page.locator("#schemes-table tbody tr", has_text="临时救助（测试）")
    assert "3000" in row.get_by_label("上限（元）").input_value()      # in force until then
    assert f"自 {later.isoformat()} 起" in row.locator(".scheme-scheduled").inner_text()
    j.seen("scheme-scheduled")
    j.finish()

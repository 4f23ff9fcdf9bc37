"""An overdue help-first payment on the supervision board, reversed with a reason in a browser
(desktop 1366px and phone 390px)."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def overdue_payment(db, demo_base):
    """A case in assistance whose confirmed ¥2,000 help-first payment was due long ago."""
    from webapp.models import Case, CaseStatus, Category, Organisation, OrgKind, User
    from webapp.services import ledger
    from webapp.services.ledger import green_channel
    ledger.top_up(db.session, None, source="reserve", source_id=None, amount="10000",
                  reference="县财政拨付")
    town = db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.TOWN)
                              ).first()
    case = Case(number="GT-2026-777001", town_id=town.id, category=Category.ACCIDENT,
                amount_needed=Decimal(5000), status=CaseStatus.IN_ASSISTANCE)
    db.session.add(case)
    db.session.flush()
    officer = db.session.scalars(select(User).where(User.username == "officer")).one()
    payment = green_channel.pay_help_first(db.session, officer, case, "2000")
    green_channel.confirm(db.session, officer, payment)
    payment.verified_at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    number = case.number
    db.session.commit()
    db.session.remove()  # on SQLite a reading transaction would hold the write lock
    return number


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_overdue_payment_is_reversed_from_the_board(live_server, page, screenshot,
                                                    overdue_payment, width):
    page.set_viewport_size(WIDTHS[width])
    login(page, live_server, "officer")
    page.wait_for_selector("#dashboard-title")
    page.goto(f"{live_server}/cases/supervision")
    row = page.locator("#overdue-payments tbody tr", has_text=overdue_payment)
    assert "¥2,000.00" in row.inner_text()
    screenshot(page, f"green-channel-board-{width}")
    row.locator("a", has_text="#").click()
    page.wait_for_selector("#reverse-confirmed-form")
    page.fill("#reverse-confirmed-form textarea, #reverse-confirmed-form input[name=reason]",
              "家属已获医保全额报销")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#reverse-confirmed-form button[type=submit]")
    page.wait_for_selector("text=已冲回先行救助")
    screenshot(page, f"green-channel-reversed-{width}")
    page.goto(f"{live_server}/cases/supervision")
    page.wait_for_selector("#no-overdue-payments")

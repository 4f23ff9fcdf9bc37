"""Supervision orders about a late lead (督办单 for a lead): issued to the lead's town window
from the board or the lead's page, replied to by that window, escalated like any other order;
and the open-leads tile on the window's and the officer's dashboards."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from webapp.models import AuditEvent, Notification, OrderLevel, OrderStatus, SupervisionOrder
from webapp.services import ConflictError, DomainError
from webapp.services.cases import orders
from webapp.services.doors import leads

MON = dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC)    # Monday 10:00 in Gaotang
LATE = MON - dt.timedelta(days=14)


def _issue(db, staff, settings, lead, *, recipient=None, now=MON):
    return orders.issue_order(db.session, staff["officer"], subject_kind="lead",
                              subject_id=lead.id, recipient_id=recipient or lead.town_id,
                              request="请今天内与困难群众首次联系", settings=settings, now=now)


def test_order_about_a_lead_goes_to_its_town_window_replied_and_escalated(
        db, staff, settings, filed_lead):
    lead = filed_lead("volunteer", now=LATE)
    order = _issue(db, staff, settings, lead)
    db.session.commit()
    assert (order.subject_kind, order.subject_id, order.case_id) == ("lead", lead.id, None)
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.issue")).one()
    notice = db.session.scalars(select(Notification).where(
        Notification.kind == "order", Notification.user_id == staff["intake"].id)).one()
    assert lead.number in notice.title and "线索" in notice.title
    assert order in db.session.scalars(orders.orders_for_user_stmt(staff["intake"])).all()
    assert order not in db.session.scalars(orders.orders_for_user_stmt(staff["intake2"])).all()
    raised = orders.escalate_orders(db.session, settings=settings,
                                    now=MON + dt.timedelta(days=14))
    assert raised == [order] and order.level is not OrderLevel.REMIND
    orders.reply_order(db.session, staff["intake"], order, reply="已于今日电话联系并入户",
                       now=MON + dt.timedelta(days=15))
    assert order.status is OrderStatus.REPLIED


def test_a_lead_order_to_another_town_or_about_a_handled_lead_is_refused(
        db, staff, settings, filed_lead):
    lead = filed_lead("volunteer", now=LATE)
    with pytest.raises(DomainError, match="不负责"):
        _issue(db, staff, settings, lead, recipient=staff["org"]("清平镇").id)
    leads.close_lead(db.session, staff["intake"], lead, reason="unreachable")
    with pytest.raises(ConflictError):
        _issue(db, staff, settings, lead)
    with pytest.raises(DomainError):
        orders.load_subject(db.session, "lead", 999999)


def test_board_and_lead_page_issue_an_order_the_window_answers(db, staff, filed_lead, auth):
    lead = filed_lead("volunteer", now=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    db.session.commit()
    lead_id, number = lead.id, lead.number
    auth.login("officer")
    board = auth._client.get("/cases/supervision").get_data(as_text=True)
    assert f"/cases/orders/new?kind=lead&amp;id={lead_id}" in board
    page = auth._client.get(f"/leads/{lead_id}").get_data(as_text=True)
    assert 'id="lead-order-link"' in page
    form = auth._client.get(f"/cases/orders/new?kind=lead&id={lead_id}")
    assert form.status_code == 200 and number in form.get_data(as_text=True)
    response = auth.post("/cases/orders/new", {"kind": "lead", "id": lead_id,
                                               "recipient_id": lead.town_id,
                                               "request": "请尽快首次联系"},
                         form_page=f"/cases/orders/new?kind=lead&id={lead_id}")
    assert response.status_code == 302
    board = auth._client.get("/cases/supervision").get_data(as_text=True)
    assert f'href="/leads/{lead_id}">{number}</a>' in board  # the open orders list names it
    auth.logout()
    auth.login("intake")
    listing = auth._client.get("/cases/orders").get_data(as_text=True)
    assert number in listing and "线索" in listing
    order_id = db.session.scalars(select(SupervisionOrder.id)).one()
    response = auth.post(f"/cases/orders/{order_id}/reply", {"reply": "已电话联系，明日入户"},
                         form_page="/cases/orders")
    assert response.status_code == 302
    page = auth._client.get(f"/leads/{lead_id}").get_data(as_text=True)
    assert 'id="lead-orders"' in page and "已电话联系，明日入户" in page


def test_open_leads_tile_on_the_window_and_officer_dashboards(db, staff, filed_lead, auth):
    filed_lead("volunteer")
    filed_lead("volunteer", "清平镇", phone="13900002222")
    db.session.commit()
    for username, expected in (("intake", 1), ("officer", 2)):
        auth.login(username)
        html = auth._client.get("/dashboard").get_data(as_text=True)
        tile = html[html.index("待联系线索"):html.index("待联系线索") + 300]
        assert f'<div class="stat-value">{expected}</div>' in tile and 'href="/leads"' in tile
        auth.logout()
    auth.login("volunteer")
    assert "待联系线索" not in auth._client.get("/dashboard").get_data(as_text=True)


def test_converting_a_lead_warns_of_a_duplicate_on_the_page_and_in_the_api(
        db, staff, filed_lead, reported_case, auth, client, api_token, consent_notice):
    from tests.factories import make_id
    from webapp.models import Case, Lead, LeadStatus

    id_number = make_id("19650707", 31)
    existing = reported_case("清平镇", id_number=id_number).number
    first, second = filed_lead("volunteer"), filed_lead("volunteer", phone="13900003333")
    db.session.commit()
    first_id, second_id = first.id, second.id
    cases = db.session.scalar(select(func.count(Case.id)))
    form = {"convert-id_number": id_number, "convert-category": "serious_illness",
            "convert-amount_needed": "3000", "convert-local_hukou": "local",
            "convert-consent_version": "1", "convert-consent_agreed": "y",
            "convert-consent_method": "paper"}
    auth.login("intake")
    response = auth.post(f"/leads/{first_id}/convert", form, form_page=f"/leads/{first_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'id="duplicate-warning"' in html
    assert existing in html and "清平镇" in html
    assert db.session.scalar(select(func.count(Case.id))) == cases
    response = auth.post(f"/leads/{first_id}/convert",
                         {**form, "convert-confirm_duplicates": "y"},
                         form_page=f"/leads/{first_id}")
    assert response.status_code == 302
    url = f"/api/v1/leads/{second_id}/conversion"
    body = {"id_number": id_number, "category": "serious_illness", "amount_needed": "3000",
            "consent": {"version": 1, "agreed": True, "method": "paper"}}
    headers = api_token("intake")
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 409
    assert {d["number"] for d in response.get_json()["duplicates"]} >= {existing}
    assert db.session.get(Lead, second_id).status is LeadStatus.OPEN
    response = client.post(url, json={**body, "confirm_duplicates": True}, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert db.session.scalar(select(func.count(Case.id))) == cases + 2

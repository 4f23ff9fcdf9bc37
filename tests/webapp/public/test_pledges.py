"""Pledging: the donor's pages, the receivers' desk and the pledge service rules."""
import re

import pytest
from sqlalchemy import func, select

from webapp.models import NeedStatus, Pledge, PledgeStatus
from webapp.services import ConflictError, DomainError, PermissionDeniedError, pledges

pytestmark = pytest.mark.usefixtures("demo_base")


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Pledge))


def test_pledge_donor_pledges_to_need_and_sees_history(client, auth, db, need_card):
    need_id = need_card(title="交通事故伤者急需手术费").id
    auth.login("donor")
    response = auth.post(f"/needs/{need_id}/pledge", {"kind": "money", "amount": "500",
                                                      "message": "早日康复"})
    assert response.status_code == 302
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "感谢您的爱心" in confirmation
    reference = re.search(r'id="pledge-reference">([^<]+)<', confirmation).group(1)
    history = client.get("/my/pledges").get_data(as_text=True)
    assert reference in history and "交通事故伤者急需手术费" in history and "待确认" in history


def test_pledge_to_unpublished_need_is_refused(db, need_card, user_named):
    need = need_card(status=NeedStatus.UNPUBLISHED)
    with pytest.raises(DomainError) as caught:
        pledges.make_pledge(db.session, user_named("donor"), need=need, amount="100")
    assert caught.value.errors["target"] == ["该需求尚未公开或已下线，不能认捐"]
    db.session.rollback()
    assert _count(db) == 0


def test_pledge_page_of_unpublished_need_is_404(client, auth, need_card):
    need_id = need_card(status=NeedStatus.DRAFT).id
    auth.login("donor")
    assert client.get(f"/needs/{need_id}/pledge").status_code == 404


def test_pledge_above_remaining_gap_is_refused(db, need_card, user_named):
    need = need_card(needed="1000", covered="600")
    pledges.make_pledge(db.session, user_named("donor"), need=need, amount="300")
    with pytest.raises(DomainError) as caught:
        pledges.make_pledge(db.session, user_named("donor"), need=need, amount="200")
    assert "缺口" in caught.value.errors["amount"][0]


def test_pledge_form_errors_are_shown_and_nothing_saved(client, auth, db, need_card):
    need_id = need_card().id
    auth.login("donor")
    response = auth.post(f"/needs/{need_id}/pledge", {"kind": "money", "amount": "12.345"})
    assert response.status_code == 400
    assert "金额最多保留两位小数" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_pledge_service_must_be_known(db, make_project, user_named):
    project = make_project()
    with pytest.raises(DomainError) as caught:
        pledges.make_pledge(db.session, user_named("donor"), project=project, service="算命")
    assert caught.value.errors["service"] == ["请选择列表中的服务类型"]


def test_pledge_requires_donor_role(client, auth, need_card):
    need_id = need_card().id
    auth.login("charity")
    assert client.get(f"/needs/{need_id}/pledge").status_code == 403


def test_pledge_anonymous_is_sent_to_login(client, need_card):
    need_id = need_card().id
    response = client.get(f"/needs/{need_id}/pledge")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_pledge_officer_confirms_and_fulfils_need_pledge(client, auth, db, need_card,
                                                         user_named):
    pledge = pledges.make_pledge(db.session, user_named("donor"), need=need_card(),
                                 amount="100")
    db.session.commit()
    pid = pledge.id
    auth.login("officer")
    assert "pledge-table" in client.get("/portal/pledges").get_data(as_text=True)
    auth.post(f"/portal/pledges/{pid}/confirm", form_page="/portal/pledges")
    auth.post(f"/portal/pledges/{pid}/fulfil", form_page="/portal/pledges?status=confirmed")
    db.session.expire_all()
    stored = db.session.get(Pledge, pid)
    assert stored.status == PledgeStatus.FULFILLED and stored.fulfilled_at is not None


def test_pledge_charity_handles_own_project_pledges_only(db, make_project, user_named,
                                                         other_charity_user):
    pledge = pledges.make_pledge(db.session, user_named("donor"), project=make_project(),
                                 amount="100")
    with pytest.raises(PermissionDeniedError):
        pledges.confirm_pledge(db.session, other_charity_user, pledge)
    pledges.confirm_pledge(db.session, user_named("charity"), pledge)
    assert pledge.status == PledgeStatus.CONFIRMED


def test_pledge_charity_cannot_confirm_need_pledges(db, need_card, user_named):
    pledge = pledges.make_pledge(db.session, user_named("donor"), need=need_card(),
                                 amount="100")
    with pytest.raises(PermissionDeniedError):
        pledges.confirm_pledge(db.session, user_named("charity"), pledge)


def test_pledge_fulfil_before_confirm_is_a_conflict(db, need_card, user_named):
    pledge = pledges.make_pledge(db.session, user_named("donor"), need=need_card(),
                                 amount="100")
    with pytest.raises(ConflictError):
        pledges.fulfil_pledge(db.session, user_named("officer"), pledge)


def test_pledge_donor_cancels_only_before_confirmation(client, auth, db, need_card,
                                                       user_named):
    donor = user_named("donor")
    open_id = pledges.make_pledge(db.session, donor, need=need_card(), amount="100").id
    confirmed = pledges.make_pledge(db.session, donor, need=need_card(), amount="100")
    pledges.confirm_pledge(db.session, user_named("officer"), confirmed)
    db.session.commit()
    confirmed_id = confirmed.id
    auth.login("donor")
    page = f"/my/pledges/{open_id}"
    assert auth.post(f"{page}/cancel", form_page=page).status_code == 302
    page = f"/my/pledges/{confirmed_id}"
    assert auth.post(f"{page}/cancel", form_page="/my/pledges").status_code == 409
    db.session.expire_all()
    assert db.session.get(Pledge, open_id).status == PledgeStatus.CANCELLED
    assert db.session.get(Pledge, confirmed_id).status == PledgeStatus.CONFIRMED


def test_pledge_of_another_donor_is_not_visible(client, auth, db, need_card, user_named,
                                                make_user):
    from webapp.models import Role
    other = make_user(Role.DONOR)
    pid = pledges.make_pledge(db.session, other, need=need_card(), amount="100").id
    db.session.commit()
    auth.login("donor")
    assert client.get(f"/my/pledges/{pid}").status_code == 404


def test_pledge_changes_publish_pledge_changed(db, need_card, user_named):
    from webapp.services import events
    with events.recording(events.PledgeChanged) as seen:
        pledge = pledges.make_pledge(db.session, user_named("donor"), need=need_card(),
                                     amount="100")
        pledges.cancel_pledge(db.session, user_named("donor"), pledge)
    assert [e.status for e in seen] == ["pledged", "cancelled"]

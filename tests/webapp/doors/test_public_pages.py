"""The public self-service pages answer bad input and floods with a clear Chinese message,
never a 500, and a status page is never shown without a redeemed code."""
from sqlalchemy import func, select

from webapp.models import Appeal, VerificationCode


def test_apply_without_a_town_says_so_and_sends_no_code(client, auth, demo_base, db):
    answer = auth.post("/apply", {"name": "周玉梅", "town_id": "0", "phone": "13700001111",
                                  "description": "丈夫车祸住院，家里没有收入了。", "urgency": "2"})
    assert answer.status_code == 400
    assert "请选择所在的镇（街道）" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(VerificationCode)) == 0


def test_a_flood_of_lookups_is_refused_with_429_and_a_message(client, auth, app, demo_base):
    for _ in range(app.config["CODES_PER_PHONE_PER_HOUR"]):
        assert auth.post("/status", {"number": "XS-2026-000001",
                                     "phone": "13700007777"}).status_code == 302
    answer = auth.post("/status", {"number": "XS-2026-000001", "phone": "13700007777"})
    assert answer.status_code == 429
    assert "获取验证码的次数太多" in answer.get_data(as_text=True)


def test_status_view_and_appeal_need_a_redeemed_code(client, auth, demo_base, db):
    assert client.get("/status/view").headers["Location"].endswith("/status")
    answer = auth.post("/status/appeal", {"reason": "请求复核我的申请"}, form_page="/status")
    assert answer.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 0


def test_a_wrong_code_on_the_page_counts_and_says_how_many_are_left(client, auth, demo_base,
                                                                   filed_lead):
    number = filed_lead(None, phone="13700008888").number
    to_code = auth.post("/status", {"number": number, "phone": "13700008888"})
    ticket = to_code.headers["Location"].split("t=", 1)[1]
    answer = auth.post("/status/verify", {"ticket": ticket, "code": "12345x"},
                       form_page=f"/status/verify?t={ticket}")
    assert answer.status_code == 400
    assert "验证码不正确，还可以再试 4 次" in answer.get_data(as_text=True)


def test_apply_on_behalf_without_ones_own_name_says_so_and_sends_no_code(client, auth,
                                                                         demo_base, db):
    from webapp.models import Organisation
    town = db.session.scalars(select(Organisation).where(Organisation.name == "梁村镇")).one()
    answer = auth.post("/apply", {"name": "周玉梅", "town_id": str(town.id), "phone": "13700001111",
                                  "description": "丈夫车祸住院，家里没有收入了。", "urgency": "2",
                                  "on_behalf": "y", "consent_agreed": "y", "consent_version": "1"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "替别人申请时，请填写您本人的姓名" in page
    assert "替别人申请时，请选择您与需要帮助的人的关系" in page
    assert db.session.scalar(select(func.count()).select_from(VerificationCode)) == 0

"""Login, logout, throttling, registration and session handling."""
import re

from sqlalchemy import func, select

from webapp.models import AuditEvent, LoginSession, Organisation, OrgStatus, Role, User


def test_login_demo_officer_reaches_dashboard(client, auth, demo_base):
    response = auth.login("officer")
    assert response.status_code == 302
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "民政局王科长" in page.get_data(as_text=True)


def test_login_wrong_password_is_refused_in_chinese(client, auth, demo_base, db):
    response = auth.login("officer", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_login_unknown_user_is_refused(client, auth, demo_base):
    response = auth.login("nobody", "whatever-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, demo_base, db):
    response = client.post("/auth/login", data={"username": "officer",
                                                "password": "jiujinan-demo"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_login_rotates_session_cookie(client, auth, demo_base):
    client.get("/auth/login")
    before = client.get_cookie("jiujinan_session").value
    auth.login("officer")
    after = client.get_cookie("jiujinan_session").value
    assert before != after


def test_logout_cookie_replayed_after_logout_is_refused(client, auth, demo_base, app):
    auth.login("officer")
    cookie = client.get_cookie("jiujinan_session").value
    assert auth.logout().status_code == 302
    replay = app.test_client()
    replay.set_cookie("jiujinan_session", cookie)
    response = replay.get("/dashboard")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_session_cookie_flags(client, auth, demo_base):
    response = auth.login("officer")
    header = response.headers.get("Set-Cookie")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_role_removed_stops_working_on_next_request(client, auth, demo_base, db):
    auth.login("admin")
    assert client.get("/admin/users").status_code == 200
    admin = db.session.scalars(select(User).where(User.username == "admin")).one()
    from webapp.services import accounts
    accounts.set_roles(db.session, admin, admin, {Role.DONOR})
    db.session.commit()
    assert client.get("/admin/users").status_code == 403


def test_register_donor_can_log_in(client, auth, demo_base):
    response = auth.post("/auth/register", {
        "account_type": "donor", "username": "kindperson", "display_name": "好心人",
        "password": "a-long-password", "confirm": "a-long-password"})
    assert response.status_code == 302
    assert auth.login("kindperson", "a-long-password").status_code == 302


def test_register_charity_waits_for_officer_approval(client, auth, demo_base, db):
    response = auth.post("/auth/register", {
        "account_type": "charity", "username": "newcharity", "display_name": "项目专员",
        "org_name": "新爱心公益服务中心", "org_contact": "李女士",
        "password": "a-long-password", "confirm": "a-long-password"})
    assert response.status_code == 302
    assert auth.login("newcharity", "a-long-password").status_code == 401
    org = db.session.scalars(select(Organisation).where(
        Organisation.name == "新爱心公益服务中心")).one()
    assert org.status == OrgStatus.PENDING
    auth.login("officer")
    html = client.get("/admin/organisations?status=pending").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post(f"/admin/organisations/{org.id}/decision",
                data={"decision": "approve", "csrf_token": token})
    auth.logout()
    assert auth.login("newcharity", "a-long-password").status_code == 302


def test_register_over_long_field_changes_nothing(client, auth, demo_base, db):
    before = db.session.scalar(select(func.count()).select_from(User))
    response = auth.post("/auth/register", {
        "account_type": "donor", "username": "x" * 500, "display_name": "好心人",
        "password": "a-long-password", "confirm": "a-long-password"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_register_duplicate_username_shows_message(client, auth, demo_base):
    response = auth.post("/auth/register", {
        "account_type": "donor", "username": "officer", "display_name": "重复",
        "password": "a-long-password", "confirm": "a-long-password"})
    assert response.status_code == 400
    assert "该用户名已被使用" in response.get_data(as_text=True)


def test_password_change_requires_current_password(client, auth, demo_base):
    auth.login("donor")
    response = auth.post("/auth/password", {"current": "wrong", "new": "new-password-1",
                                            "confirm": "new-password-1"})
    assert response.status_code == 400
    assert "当前密码不正确" in response.get_data(as_text=True)
    response = auth.post("/auth/password", {"current": "jiujinan-demo", "new": "new-password-1",
                                            "confirm": "new-password-1"})
    assert response.status_code == 302
    auth.logout()
    assert auth.login("donor", "new-password-1").status_code == 302


def test_login_and_logout_are_audited(client, auth, demo_base, db):
    auth.login("officer")
    auth.logout()
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "login" in actions and "logout" in actions


def test_security_headers_forbid_inline_script(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_language_switch_to_english(client, auth, demo_base):
    client.get("/lang/en?next=/auth/login")
    html = client.get("/auth/login").get_data(as_text=True)
    assert "Log in" in html


def test_language_switch_ignores_external_next(client):
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"

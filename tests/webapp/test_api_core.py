"""Tokens, /me, problem+json errors and the OpenAPI document."""
import datetime as dt

from sqlalchemy import func, select

from webapp.models import ApiToken


def test_token_issue_and_me(client, api_token):
    headers = api_token("officer")
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == "officer"
    assert body["roles"] == ["officer"]


def test_token_stored_hashed(client, demo_base, db):
    token = client.post("/api/v1/tokens", json={"username": "donor",
                                                "password": "jiujinan-demo"}).get_json()["token"]
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored) == 1


def test_token_wrong_password_is_problem_json(client, demo_base):
    response = client.post("/api/v1/tokens", json={"username": "officer", "password": "nope"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "用户名或密码错误"


def test_token_malformed_json_is_400_problem(client, demo_base, db):
    response = client.post("/api/v1/tokens", data="{not json",
                           content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_token_missing_fields_is_422_with_field_errors(client, demo_base):
    response = client.post("/api/v1/tokens", json={"username": "officer"})
    assert response.status_code == 422
    assert "password" in str(response.get_json()["errors"])


def test_token_over_long_username_is_422(client, demo_base):
    response = client.post("/api/v1/tokens", json={"username": "a" * 1000, "password": "x"})
    assert response.status_code == 422


def test_me_without_token_is_401_problem(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_revoked_token_is_refused(client, api_token):
    headers = api_token("officer")
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_expired_token_is_refused(client, api_token, db):
    headers = api_token("officer")
    row = db.session.scalars(select(ApiToken)).one()
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_api_ignores_session_cookie(client, auth, demo_base):
    auth.login("officer")
    assert client.get("/api/v1/me").status_code == 401


def test_openapi_document_lists_core_paths(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/tokens" in spec["paths"]
    assert "/api/v1/me" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_api_docs_page_has_no_inline_script(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in html
    assert "<script>" not in html


def test_unknown_api_path_is_404_problem(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"

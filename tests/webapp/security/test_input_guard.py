"""Input no view should see is refused before any view runs, as problem+json under /api/."""
from __future__ import annotations

import pytest

from webapp.input_guard import MAX_ID, json_depth

pytestmark = pytest.mark.usefixtures("demo_base")


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.mark.parametrize("path", [
    "/api/v1/cases/9223372036854775808", "/api/v1/cases/3000000000",
    "/api/v1/needs/99999999999999999999", f"/api/v1/projects/{MAX_ID + 1}",
    "/api/v1/money-transfers/3000000000", "/api/v1/matching/runs/3000000000"])
def test_integer_path_beyond_the_database_is_404_problem(client, api_token, path):
    assert_problem(client.get(path, headers=api_token("officer")), 404)


def test_integer_path_beyond_the_database_is_404_page(client):
    for path in ("/needs/3000000000", "/needs/9223372036854775808"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html"


def test_largest_id_is_an_ordinary_404(client):
    assert_problem(client.get(f"/api/v1/needs/{MAX_ID}"), 404)


@pytest.mark.parametrize("query", [
    "case_id=99999999999999999999", "case_id=3000000000", "page=9223372036854775808",
    "case_id=-99999999999999999999"])
def test_integer_query_beyond_the_database_is_422(client, api_token, query):
    response = client.get(f"/api/v1/money-transfers?{query}", headers=api_token("officer"))
    assert_problem(response, 422)


@pytest.mark.parametrize("query", ["town=3000000000", "urgency=99999999999999999999",
                                   "min_gap=1e400", "page=0"])
def test_public_list_filters_out_of_range_are_422(client, query):
    assert_problem(client.get(f"/api/v1/needs?{query}"), 422)


def test_deeply_nested_json_is_400(client, api_token):
    body = "[" * 1000 + "]" * 1000
    response = client.post("/api/v1/projects", data=body, content_type="application/json",
                           headers=api_token("charity"))
    assert "嵌套" in assert_problem(response, 400)["detail"]


def test_json_over_the_size_limit_is_413(client, api_token):
    body = '{"title": "' + "x" * (1024 * 1024) + '"}'
    response = client.post("/api/v1/projects", data=body, content_type="application/json",
                           headers=api_token("charity"))
    assert_problem(response, 413)


@pytest.mark.parametrize("raw", ['{"title":"\\ud800x"}', '{"title":"a\\u0000b"}',
                                 '{"ti\\u0000tle":"a"}', '{"towns":["\\udfff"]}'])
def test_nul_and_lone_surrogates_in_json_are_400(client, api_token, raw, db):
    from sqlalchemy import func, select

    from webapp.models import Project
    before = db.session.scalar(select(func.count()).select_from(Project))
    response = client.post("/api/v1/projects", data=raw, content_type="application/json",
                           headers=api_token("charity"))
    assert "不允许的字符" in assert_problem(response, 400)["detail"]
    assert db.session.scalar(select(func.count()).select_from(Project)) == before


def test_token_request_with_nul_is_400_not_a_failed_login(client):
    response = client.post("/api/v1/tokens", json={"username": "officer\x00",
                                                   "password": "jiujinan-demo"})
    assert_problem(response, 400)


def test_malformed_json_is_400_problem(client, api_token):
    response = client.post("/api/v1/projects", data='{"title": ', content_type="application/json",
                           headers=api_token("charity"))
    assert_problem(response, 400)


def test_nul_in_query_and_path_is_400(client):
    assert_problem(client.get("/api/v1/search?q=a%00b"), 400)
    assert_problem(client.get("/api/v1/needs?category=a%00"), 400)
    assert client.get("/search?q=a%00b").status_code == 400
    assert client.get("/needs/a%00b").status_code in (400, 404)


def test_nul_in_a_web_form_is_400_before_the_view(client, auth, db):
    from sqlalchemy import func, select

    from webapp.models import LoginFailure
    response = auth.post("/auth/login", {"username": "offi\x00cer", "password": "wrong-pass"})
    assert response.status_code == 400  # the view would answer 401 and record a failure
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_long_header_is_431_problem(client, api_token):
    headers = {**api_token("officer"), "Idempotency-Key": "k" * 10000}
    assert_problem(client.post("/api/v1/matching/runs", headers=headers), 431)


def test_long_idempotency_key_is_400_problem(client, api_token):
    headers = {**api_token("officer"), "Idempotency-Key": "k" * 200}
    response = client.post("/api/v1/money-transfers", headers=headers, json={
        "source": "reserve", "case_id": 1, "amount": "10"})
    assert "Idempotency-Key" in assert_problem(response, 400)["detail"]


def test_json_depth_counts_brackets_outside_strings():
    assert json_depth('{"a": [1, {"b": "[[[["}]}') == 3
    assert json_depth('"[\\"[["') == 0

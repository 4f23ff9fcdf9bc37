"""Every matching route admits exactly its roles."""
from __future__ import annotations

import pytest

USERS = ["admin", "officer", "intake", "dept", "charity", "fundmgr", "volunteer", "donor",
         "auditor"]
RESPONDERS = {"officer", "dept", "charity", "fundmgr", "volunteer"}
PAGES = [("/matching/", {"officer"}), ("/matching/runs", {"officer"}),
         ("/matching/runs/999/status", {"officer"}), ("/matching/assignments", RESPONDERS)]
POSTS = ["/matching/runs", "/matching/proposals/999/approve", "/matching/proposals/999/reject"]
API = [("post", "/api/v1/matching/runs"), ("get", "/api/v1/matching/runs/999"),
       ("get", "/api/v1/proposals"), ("post", "/api/v1/proposals/999/approve"),
       ("post", "/api/v1/proposals/999/reject"), ("get", "/api/v1/needs/999/suggestions")]


@pytest.mark.parametrize("path,allowed", PAGES)
@pytest.mark.parametrize("username", USERS)
def test_matching_pages_admit_only_their_roles(client, auth, demo_base, path, allowed, username):
    auth.login(username)
    expected = (404 if path.endswith("/status") else 200) if username in allowed else 403
    assert client.get(path).status_code == expected


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("username", sorted(set(USERS) - {"officer"}))
def test_matching_actions_are_for_officers_only(client, auth, demo_base, path, username):
    auth.login(username)
    assert auth.post(path, {}, form_page="/dashboard").status_code == 403


@pytest.mark.parametrize("username", sorted(set(USERS) - RESPONDERS))
def test_respond_is_for_resource_providers_only(client, auth, demo_base, username):
    auth.login(username)
    response = auth.post("/matching/proposals/999/respond", {}, form_page="/dashboard")
    assert response.status_code == 403


@pytest.mark.parametrize("method,path", API)
@pytest.mark.parametrize("username", sorted(set(USERS) - {"officer"}))
def test_matching_api_is_for_officers_only(client, api_token, method, path, username):
    response = getattr(client, method)(path, json={}, headers=api_token(username))
    assert response.status_code == 403


@pytest.mark.parametrize("method,path", API)
def test_matching_api_needs_a_token(client, demo_base, method, path):
    assert getattr(client, method)(path, json={}).status_code == 401


def test_matching_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/matching/runs", "/api/v1/matching/runs/{run_id}", "/api/v1/proposals",
            "/api/v1/proposals/{proposal_id}/approve", "/api/v1/proposals/{proposal_id}/reject",
            "/api/v1/needs/{need_id}/suggestions"} <= set(paths)

"""Every case page answers each role as declared; anything unlisted is denied."""
import pytest

PAGES = [
    ("/cases/", {"intake", "dept", "officer", "auditor"}),
    ("/cases/new", {"intake", "officer"}),
    ("/cases/transfers", {"dept", "officer", "auditor"}),
    ("/cases/conferences", {"officer", "auditor"}),
    ("/cases/notifications", {"intake", "dept", "officer", "auditor", "admin", "donor",
                              "charity"}),
]


@pytest.mark.parametrize("path,allowed", PAGES)
@pytest.mark.parametrize("username", ["admin", "officer", "intake", "dept", "charity", "donor",
                                      "auditor"])
def test_case_pages_only_for_their_roles(client, auth, staff, path, allowed, username):
    auth.login(username)
    assert client.get(path).status_code == (200 if username in allowed else 403)


def test_case_pages_send_anonymous_user_to_login(client):
    response = client.get("/cases/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_case_api_requires_bearer_token(client):
    assert client.get("/api/v1/cases").status_code == 401

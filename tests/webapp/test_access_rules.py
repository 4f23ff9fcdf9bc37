"""Every route declares an access rule; anything unlisted is denied."""
import pytest
from flask import Blueprint

from webapp.permissions import rule_of


def test_every_route_declares_an_access_rule(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule_of(app.view_functions[rule.endpoint]) is None]
    assert missing == []


def test_route_without_rule_is_denied(_data_dir):
    from webapp.app import create_app
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SECRET_KEY": "x"})
    bp = Blueprint("rogue", __name__)

    @bp.route("/rogue")
    def rogue():
        return "secret"

    app.register_blueprint(bp)
    response = app.test_client().get("/rogue")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


ROLE_PAGES = [
    ("/admin/users", {"admin"}),
    ("/admin/organisations", {"admin", "officer"}),
    ("/admin/audit", {"admin", "auditor", "officer"}),
]


@pytest.mark.parametrize("path,allowed", ROLE_PAGES)
@pytest.mark.parametrize("username", ["admin", "officer", "intake", "dept", "charity",
                                      "fundmgr", "volunteer", "donor", "auditor"])
def test_admin_pages_only_for_their_roles(client, auth, demo_base, path, allowed, username):
    auth.login(username)
    response = client.get(path)
    assert response.status_code == (200 if username in allowed else 403)


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]

"""Every route declares an access rule; anything unlisted is denied."""
import pytest
from flask import Blueprint

from webapp.access_matrix import ACCESS
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


# ---- the access matrix (webapp/access_matrix.py) -------------------------------------------

PRINCIPALS = {"admin": "admin", "officer": "officer", "intake": "intake_worker",
              "dept": "department_handler", "charity": "charity_staff",
              "fundmgr": "fund_manager", "volunteer": "volunteer", "donor": "donor",
              "auditor": "auditor", None: None}
# Routes whose view refuses some roles that pass the route's gate (403 from the view): the
# listing portal lets each owner role reach only its own kind of listing (charity: projects,
# fund manager: funds, volunteer: offers, officer and departments: schemes).
VIEW_REFUSES = {(m, r) for m, r in ACCESS
                if r.startswith(("/portal/<any", "/portal/projects", "/portal/funds",
                                 "/portal/offers", "/portal/schemes"))}
VIEW_REFUSES.add(("POST", "/cases/conferences"))  # auditors see the board; officers schedule
# Requests that end the principal's session or token: made last.
LAST = {"/auth/logout", "/api/v1/tokens/current"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def test_access_matrix_has_exactly_one_row_per_route(app):
    routes = {(method, rule.rule): rule_of(app.view_functions[rule.endpoint]).describe()
              for method, rule in _routes(app)}
    assert sorted(set(routes) - set(ACCESS)) == [], "routes without a row in access_matrix.py"
    assert sorted(set(ACCESS) - set(routes)) == [], "rows of access_matrix.py without a route"
    assert {k: v for k, v in routes.items() if ACCESS[k] != v} == {}, "rule differs from row"


def _url(rule) -> str:
    from werkzeug.routing import AnyConverter, IntegerConverter

    from webapp.input_guard import MAX_ID
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = MAX_ID  # no such row: the request changes nothing
        elif isinstance(converter, AnyConverter):
            values[name] = converter.regex[3:-1].split("|")[0].replace("\\", "")
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def matrix_app(_app, app, demo_base):
    """The same database behind an app without CSRF checks, so POSTs reach the access gate."""
    from webapp.app import create_app
    from webapp.extensions import db as _db
    plain = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-secret",
                        "SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                        "JOBS_IN_PROCESS": False})
    yield plain
    with plain.app_context():
        _db.session.remove()
        _db.engine.dispose()


def allowed(row: str, role: str | None) -> bool:
    if row == "public":
        return True
    if role is None:
        return False
    return row == "login" or role in row.split(",")


@pytest.mark.parametrize("username", list(PRINCIPALS))
def test_access_matrix_holds_for_every_demo_role_and_anonymous(matrix_app, username):
    client = matrix_app.test_client()
    if username:
        login = client.post("/auth/login", data={"username": username,
                                                 "password": "jiujinan-demo"})
        assert login.status_code == 302
        token = client.post("/api/v1/tokens", json={"username": username,
                                                    "password": "jiujinan-demo"}).get_json()
        bearer = {"Authorization": f"Bearer {token['token']}"}
    role = PRINCIPALS[username]
    routes = sorted(_routes(matrix_app), key=lambda mr: mr[1].rule in LAST)
    wrong = []
    for method, rule in routes:
        headers = bearer if username and rule.rule.startswith("/api/") else {}
        response = client.open(_url(rule), method=method, headers=headers)
        status = response.status_code
        if allowed(ACCESS[(method, rule.rule)], role):
            refused = status == 401 or (status == 403 and (method, rule.rule) not in VIEW_REFUSES)
        elif role is None:
            refused = not (status == 401 or (status == 302 and "/auth/login" in
                                             response.headers.get("Location", "")))
        else:
            refused = status != 403
        if refused:
            wrong.append((method, rule.rule, status))
    assert wrong == [], "\n".join(map(str, wrong))

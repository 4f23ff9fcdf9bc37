"""schemathesis against the app's own OpenAPI document, as an officer and as anonymous.

Every operation gets a few generated requests (positive and negative data) through the WSGI
app, and every response must pass schemathesis' checks: no server error, a documented status
code, content type and headers, a body that conforms to the documented schema, the Allow
header of a 405, auth that is not ignored, and so on. Two checks are left out on purpose:
``positive_data_acceptance`` wants a 2xx for any schema-valid body, but the domain refuses
schema-valid requests for its own reasons with a documented 4xx (an unknown case id, a code
already used, the officer asking ``mine=true`` for listings only organisations own);
``negative_data_rejection`` flags documented-lenient input (a JSON number sent where the
document says a decimal string). Bounded to a few examples per operation.
"""
from __future__ import annotations

import datetime as dt
import os
import random

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

# More for a deeper probe: SCHEMATHESIS_EXAMPLES=50 pytest tests/webapp/security/test_schemathesis.py
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "2"))
EXCLUDED = [checks.positive_data_acceptance, checks.negative_data_rejection]


@pytest.fixture(scope="module")
def probed_app(_app):
    """The app with the demo organisations and users, loaded once for the module."""
    from tests.conftest import _wipe
    from webapp.demo import base
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import accounts
    with _app.app_context():
        _wipe(db)
        base.load(db.session, random.Random(1), lambda s: None)
        officer = db.session.query(User).filter_by(username="officer").one()
        token, _ = accounts.issue_api_token(db.session, officer, lifetime=dt.timedelta(hours=1),
                                            label="schemathesis")
        db.session.commit()
    _app.config["PROBE_OFFICER_TOKEN"] = token
    yield _app
    _app.config.pop("PROBE_OFFICER_TOKEN")
    with _app.app_context():
        _wipe(db)


@pytest.fixture(scope="module")
def api_schema(probed_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", probed_app)


schema = schemathesis.pytest.from_fixture("api_schema")
probe_settings = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck), database=None)


@schema.parametrize()
@probe_settings
def test_api_as_anonymous(case):
    case.call_and_validate(excluded_checks=EXCLUDED)


@schema.parametrize()
@probe_settings
def test_api_as_officer(case, probed_app):
    token = probed_app.config["PROBE_OFFICER_TOKEN"]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=EXCLUDED)

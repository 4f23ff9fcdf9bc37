"""Urgent cases: intake, my cases, case detail, transfers, supervision, conference, inbox."""
from flask import Blueprint, current_app

from webapp.models.encrypted import set_key_source

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")

# Applicant columns are sealed with the FIELD_ENCRYPTION_KEY of whichever app is running.
set_key_source(lambda: current_app.config["FIELD_ENCRYPTION_KEY"])

from webapp.cases import boards, dashboards, views  # noqa: F401
from webapp.services.cases import notifications  # noqa: F401  (event subscribers)

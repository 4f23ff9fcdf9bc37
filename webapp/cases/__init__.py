"""Urgent cases: intake, my cases, case detail, transfers, supervision, conference, inbox."""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")

from webapp.cases import boards, dashboards, orders_views, views  # noqa: F401

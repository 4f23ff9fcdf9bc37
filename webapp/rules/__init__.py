"""County rules set by the county: limits, calendar, thresholds, scheme standards (page, CLI)."""
from flask import Blueprint

bp = Blueprint("rules", __name__, url_prefix="/rules", template_folder="templates")

from webapp.rules import (
    consent_views,  # noqa: F401
    views,  # noqa: F401
)

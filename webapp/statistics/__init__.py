"""Statistics: timeliness figures with charts, tables and CSV, and the monthly report (月报)."""
from flask import Blueprint

bp = Blueprint("statistics", __name__, url_prefix="/statistics", template_folder="templates")

from webapp.statistics import reports, views  # noqa: F401

"""Home page, role dashboards, language switch."""
from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from webapp.main import views  # noqa: F401

"""Home page, role dashboards, language switch."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from webapp.main import views  # noqa: E402,F401

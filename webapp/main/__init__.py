"""Home page, role dashboards, language switch."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from webapp.main import views  # noqa: F401

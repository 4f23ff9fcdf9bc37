"""Reviewed publication (发布审核): an officer checks a case's anonymized card and publishes it."""
from flask import Blueprint

bp = Blueprint("needs_review", __name__, url_prefix="/review/needs", template_folder="templates")

from webapp.needs_review import views  # noqa: F401

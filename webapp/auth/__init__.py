"""Login, logout, registration and password change."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")

from webapp.auth import views  # noqa: F401

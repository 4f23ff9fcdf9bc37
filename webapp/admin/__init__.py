"""Administration: users, roles, organisations and their approval, the audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from webapp.admin import views  # noqa: F401

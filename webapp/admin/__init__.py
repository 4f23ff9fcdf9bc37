"""Administration: users, roles, organisations and their approval, the audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from webapp.admin import views  # noqa: F401

"""Every door in: the leads queue and form, appeals, the development outbox (staff), and the
public self-application and status lookup (no account)."""
from flask import Blueprint

bp = Blueprint("doors", __name__, template_folder="templates")

from webapp.doors import dashboards, public, views  # noqa: F401

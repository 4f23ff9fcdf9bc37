"""The public site (no login needed): needs, projects, organisations, transparency; and the
donor's pledging pages."""
from flask import Blueprint

bp = Blueprint("public", __name__, template_folder="templates")

from webapp.public import pledging, views  # noqa: F401

"""Search pages: one results page over needs and every help source, with facets."""
from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search", template_folder="templates")

from webapp.search import views  # noqa: F401

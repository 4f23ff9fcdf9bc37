"""Matching pages: officers' proposals and batch runs, resource owners' assignments."""
from flask import Blueprint

bp = Blueprint("matching", __name__, url_prefix="/matching", template_folder="templates")

from webapp.matching import views  # noqa: F401
from webapp.services import matching  # noqa: F401  (registers the matching.run job)

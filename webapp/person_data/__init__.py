"""An officer's pages for one person's data: find them by ID number, export everything held
about them (an access request) and correct it (PIPL Arts. 45-46), each audited."""
from flask import Blueprint

bp = Blueprint("person_data", __name__, url_prefix="/person-data", template_folder="templates")

from webapp.person_data import views  # noqa: F401

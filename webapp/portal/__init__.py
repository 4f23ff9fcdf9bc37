"""Organisation portals (charity projects, relief funds, volunteer offers, government schemes),
the officers' listing review queue and the receivers' pledge desk."""
from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal", template_folder="templates")

from webapp.portal import pledge_desk, review, tiles, views  # noqa: F401

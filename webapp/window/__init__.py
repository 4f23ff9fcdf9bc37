"""Every door in: the town windows' public pages and wall posters (一明显三上墙), the public
complaint form and the officers' complaint desk (投诉/监督)."""
from flask import Blueprint

bp = Blueprint("window", __name__, template_folder="templates")

from webapp.window import views  # noqa: F401

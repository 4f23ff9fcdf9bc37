"""Views of the main blueprint."""
from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user

from webapp.main import bp
from webapp.main.dashboards import panels_for
from webapp.permissions import LOGIN, PUBLIC, access


def safe_next(target: str | None, default: str) -> str:
    """Only follow local redirect targets."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.route("/")
@access(PUBLIC)
def index():
    return redirect(url_for("public.home"))


@bp.route("/dashboard")
@access(LOGIN)
def dashboard():
    return render_template("main/dashboard.html", tiles=panels_for(current_user))


@bp.route("/lang/<lang>")
@access(PUBLIC)
def set_language(lang: str):
    if lang in ("zh_CN", "en"):
        session["lang"] = lang
    return redirect(safe_next(request.args.get("next"), url_for("main.index")))


@bp.route("/go/search")
@access(PUBLIC)
def search_redirect():
    return redirect(url_for("search.results", q=request.args.get("q", "")[:200]))

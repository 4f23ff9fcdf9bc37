"""Error pages for people and problem+json for the API; never a bare 500."""
from __future__ import annotations

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from webapp.extensions import db
from webapp.services import DomainError

MESSAGES = {
    400: "请求无效",
    401: "请先登录",
    403: "您没有权限访问此页面",
    404: "页面或记录不存在",
    405: "不支持此请求方法",
    409: "操作与当前状态冲突",
    413: "上传内容过大",
    414: "请求地址过长",
    422: "提交的数据有误",
    429: "请求过于频繁，请稍后再试",
    431: "请求头过大",
    500: "服务器内部错误，我们已记录此问题",
}


def problem(status: int, detail: str, *, title: str | None = None, errors: dict | None = None,
            **extra):
    """Build an RFC 9457 application/problem+json response."""
    body = {"type": "about:blank", "title": title or MESSAGES.get(status, "错误"),
            "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        db.session.rollback()
        if wants_json():
            return problem(400, "缺少或无效的 CSRF 令牌")
        return render_template("error.html", status=400,
                               message=_("表单已过期或缺少安全令牌，请刷新页面后重试")), 400

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return problem(exc.status, exc.message, errors=exc.errors or None)
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        status = exc.code or 500
        if wants_json():
            data = getattr(exc, "data", None) or {}
            detail = exc.description if isinstance(exc.description, str) and \
                not exc.description.startswith(("The ", "You ")) else MESSAGES.get(status, "错误")
            response = problem(status, detail, errors=data.get("messages"))
            # Keep what the error itself says in headers (Allow on a 405, Retry-After ...).
            for name, value in exc.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response
        if status == 401:
            return redirect(url_for("auth.login", next=request.full_path))
        return render_template("error.html", status=status,
                               message=_(MESSAGES.get(status, "请求出错"))), status

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(exc: Exception):
        # The last net under input_guard: a number or text the database cannot hold is the
        # caller's error, never a 500. A GET names something that cannot exist (404).
        db.session.rollback()
        app.logger.warning("input the database cannot hold on %s %s: %s", request.method,
                           request.path, type(exc).__name__)
        status = 404 if request.method in ("GET", "HEAD") else 422
        detail = MESSAGES[404] if status == 404 else "提交的数值超出允许范围"
        if wants_json():
            return problem(status, detail)
        return render_template("error.html", status=status,
                               message=_(MESSAGES[status])), status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return problem(500, MESSAGES[500])
        return render_template("error.html", status=500, message=_(MESSAGES[500])), 500

"""The 告知同意 notice pages: every version read-only for staff, the administrator publishes a
new one, and any version prints as an A4 form for the applicant to sign."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import db
from webapp.models.consent import ConsentNotice
from webapp.pdf import pdf_response
from webapp.permissions import R, access, roles
from webapp.rules import bp
from webapp.rules.views import today
from webapp.services import DomainError, consent

READERS = roles(R.ADMIN, R.OFFICER, R.AUDITOR, R.INTAKE_WORKER)


def _load(version: int) -> ConsentNotice:
    notice = consent.notice_by_version(db.session, version)
    if notice is None:
        abort(404)
    return notice


def _page(status: int = 200, *, errors: dict | None = None, message: str | None = None):
    return render_template(
        "rules/consent.html", notices=consent.notices(db.session),
        in_force=consent.notice_in_force(db.session, today()), today=today(),
        can_publish=current_user.has_role(R.ADMIN), errors=errors or {}, message=message,
        typed=request.form if request.method == "POST" else {}), status


@bp.route("/consent")
@access(READERS)
def consent_notices():
    return _page()


@bp.route("/consent", methods=["POST"])
@access(roles(R.ADMIN))
def publish_consent():
    form = request.form
    try:
        notice = consent.publish_notice(db.session, current_user, body=form.get("body", ""),
                                        title=form.get("title", ""),
                                        effective_on=form.get("effective_on", ""),
                                        today=today())
    except DomainError as exc:
        db.session.rollback()
        return _page(exc.status, errors={k: [str(m) for m in v] for k, v in exc.errors.items()},
                     message=exc.message)
    db.session.commit()
    flash(_("告知书第 %(v)s 版已发布，自 %(day)s 起使用", v=notice.version,
            day=notice.effective_on.isoformat()), "success")
    return redirect(url_for("rules.consent_notice", version=notice.version))


@bp.route("/consent/<int:version>")
@access(READERS)
def consent_notice(version: int):
    notice = _load(version)
    return render_template("rules/consent_notice.html", notice=notice,
                           in_force=consent.notice_in_force(db.session, today()))


@bp.route("/consent/<int:version>/notice.pdf")
@access(READERS)
def consent_pdf(version: int):
    notice = _load(version)
    return pdf_response("rules/pdf/consent_notice.html", f"consent-notice-v{notice.version}.pdf",
                        notice=notice, proxy_relations=consent.PROXY_RELATIONS)

"""Statistics pages: timeliness figures (charts, tables, CSV, drill-down) and monthly reports."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp import permissions
from webapp.extensions import db
from webapp.models import MonthlyReport, ReportStage, Step, utcnow
from webapp.permissions import R, access, roles
from webapp.services import DomainError
from webapp.services.cases import queries, transfers
from webapp.services.cases.deadlines import local_date
from webapp.services.cases.notifications import STEP_LABELS
from webapp.services.cases.settings import CaseSettings
from webapp.services.statistics import timeliness
from webapp.services.statistics.timeliness import Figures, Filters
from webapp.statistics import bp, reports

READERS = roles(R.OFFICER, R.AUDITOR, R.INTAKE_WORKER)
REPORT_READERS = roles(R.OFFICER, R.AUDITOR)


def _today():
    return local_date(utcnow())


def _figures(args: Any) -> tuple[Filters, Figures]:
    filters = timeliness.parse_filters(args, today=_today())
    figures = timeliness.timeliness(db.session, current_user, filters, today=_today(),
                                    settings=CaseSettings.from_config(current_app.config))
    return figures.filters, figures


def _dash(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def case_table(figures: Figures) -> tuple[list[str], list[dict[str, Any]]]:
    """The case figures as header and rows (shared by the page and the CSV)."""
    head = [_(timeliness.DIMENSION_LABELS[figures.filters.by]), _("登记个案"), _("获首次救助"),
            _("至首次救助中位工作日"), _("至首次救助90%分位工作日"), _("已办结"),
            _("至办结中位工作日"), _("至办结90%分位工作日")]
    rows = [{"key": r.key, "label": r.label if r.key != "all" else _("合计"),
             "cells": [("received", r.received), ("helped", r.helped),
                       (None, _dash(r.help_days.median)), (None, _dash(r.help_days.p90)),
                       ("closed", r.closed), (None, _dash(r.closure_days.median)),
                       (None, _dash(r.closure_days.p90))]}
            for r in [*figures.cases, figures.case_total]]
    return head, rows


def step_table(figures: Figures) -> tuple[list[str], list[dict[str, Any]]]:
    head = [_(timeliness.DIMENSION_LABELS[figures.filters.by]), _("环节数"), _("已完成"),
            _("按时完成"), _("按时率（%）"), _("超时"), _("超期未办")]
    rows = [{"key": r.key, "label": _(r.label) if r.key != "all" else _("合计"),
             "cells": [(None, r.steps), (None, r.done), (None, r.on_time),
                       (None, _dash(r.on_time_rate)), ("late", r.late),
                       ("open_overdue", r.open_overdue)]}
            for r in [*figures.steps, figures.step_total]]
    return head, rows


def _chart(rows: list[dict[str, Any]], index: int, label: str) -> str:
    body = [r for r in rows if r["key"] != "all"]
    values = [r["cells"][index][1] for r in body]
    return json.dumps({"labels": [r["label"] for r in body], "label": label,
                       "values": [None if v == "—" else float(v) for v in values]},
                      ensure_ascii=False)


@bp.route("/")
@access(READERS)
def index():
    try:
        filters, figures = _figures(request.args)
    except DomainError as exc:
        flash(exc.message, "error")
        filters, figures = _figures({})
        status = 400
    else:
        status = 200
    db.session.commit()  # the working-day calendar may have been refreshed
    case_head, case_rows = case_table(figures)
    step_head, step_rows = step_table(figures)
    town_locked = not current_user.has_role(R.OFFICER, R.AUDITOR)
    return render_template(
        "statistics/index.html", figures=figures, filters=filters, args=filters.args(),
        case_head=case_head, case_rows=case_rows, step_head=step_head, step_rows=step_rows,
        case_chart=_chart(case_rows, 0, _("登记个案")),
        step_chart=_chart(step_rows, 3, _("按时率（%）")),
        towns=queries.towns(db.session), departments=transfers.departments(db.session),
        steps=[(s.value, STEP_LABELS[s.value]) for s in Step],
        dimensions=timeliness.DIMENSION_LABELS, town_locked=town_locked,
        town_name=_town_name(permissions.town_id_of(current_user)) if town_locked else None), status


def _town_name(town_id: int | None) -> str | None:
    return next((t.name for t in queries.towns(db.session) if t.id == town_id), None)


@bp.route("/<any(cases, steps):table>.csv")
@access(READERS)
def figures_csv(table: str):
    """One table of the statistics page as CSV (UTF-8 with BOM, opens in Excel)."""
    try:
        filters, figures = _figures(request.args)
    except DomainError as exc:
        abort(400, exc.message)
    db.session.commit()
    head, rows = case_table(figures) if table == "cases" else step_table(figures)
    out = io.StringIO()
    writer = csv.writer(out)
    first, last = filters.months
    writer.writerow([_("办理时效统计"), _("统计期间"), f"{first} — {last}"])
    writer.writerow(head)
    for row in rows:
        writer.writerow([row["label"], *[value for _, value in row["cells"]]])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="timeliness-{table}-{first}-{last}.csv"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---- monthly reports -----------------------------------------------------------------------

def _report_view(report: MonthlyReport) -> dict[str, Any]:
    stage = reports.stage_of(db.session, report)
    return {"id": report.id, "period": f"{report.year}-{report.month:02d}",
            "stage": stage.value, "label": _(reports.STAGE_LABELS[stage]),
            "progress": reports.PROGRESS[stage], "done": stage == ReportStage.DONE,
            "failed": stage == ReportStage.FAILED,
            "xlsx": url_for("statistics.report_file", report_id=report.id, fmt="xlsx"),
            "pdf": url_for("statistics.report_file", report_id=report.id, fmt="pdf")}


@bp.route("/reports", methods=["POST"])
@access(roles(R.OFFICER))
def request_report():
    raw = request.form.get("month", "")
    try:
        year, month = (int(p) for p in raw.split("-"))
        report = reports.request_report(db.session, current_user, year=year, month=month)
    except (ValueError, DomainError) as exc:
        db.session.rollback()
        flash(exc.message if isinstance(exc, DomainError) else _("请选择有效的月份"), "error")
        return _reports_page(400)
    db.session.commit()
    flash(_("月报已开始生成"), "success")
    return redirect(url_for("statistics.monthly_reports", _anchor=f"report-{report.id}"))


@bp.route("/reports")
@access(REPORT_READERS)
def monthly_reports():
    return _reports_page(200)


def _reports_page(status: int):
    rows = db.session.scalars(select(MonthlyReport).order_by(MonthlyReport.id.desc())
                              .limit(24)).all()
    last_month = _today().replace(day=1)
    last_month = (last_month.replace(year=last_month.year - 1, month=12)
                  if last_month.month == 1 else last_month.replace(month=last_month.month - 1))
    return render_template("statistics/reports.html", reports=[_report_view(r) for r in rows],
                           default_month=last_month.strftime("%Y-%m")), status


@bp.route("/reports/<int:report_id>/status")
@access(REPORT_READERS)
def report_status(report_id: int):
    report = db.session.get(MonthlyReport, report_id) or abort(404)
    return jsonify(_report_view(report))


@bp.route("/reports/<int:report_id>.<any(xlsx, pdf):fmt>")
@access(REPORT_READERS)
def report_file(report_id: int, fmt: str):
    report = db.session.get(MonthlyReport, report_id) or abort(404)
    name = report.xlsx_name if fmt == "xlsx" else report.pdf_name
    if report.stage != ReportStage.DONE or not name:
        abort(404)
    path = reports.report_dir() / name
    if not path.is_file():
        abort(404)
    mimetype = ("application/pdf" if fmt == "pdf" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response

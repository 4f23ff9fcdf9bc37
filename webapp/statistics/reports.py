"""The monthly report (月报) as files: queued by an officer, built by a background job that
records its stage as it goes (figures → spreadsheet → PDF), kept under the data directory."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook, styles
from sqlalchemy import update
from sqlalchemy.orm import Session

from webapp.models import MonthlyReport, ReportStage, User, utcnow
from webapp.models.jobs import Job, JobStatus
from webapp.pdf import render_pdf
from webapp.services import NotFoundError, audit, jobs
from webapp.services.cases.deadlines import local_date
from webapp.services.cases.settings import CaseSettings
from webapp.services.statistics import monthly as monthly_service
from webapp.services.statistics.monthly import Breakdown
from webapp.services.statistics.monthly import MonthlyReport as Figures

JOB = "statistics.monthly_report"
#: Share of the work done when the job reaches each stage (shown as a progress bar).
PROGRESS = {ReportStage.QUEUED: 5, ReportStage.FIGURES: 25, ReportStage.SPREADSHEET: 60,
            ReportStage.PDF: 80, ReportStage.DONE: 100, ReportStage.FAILED: 100}
STAGE_LABELS = {ReportStage.QUEUED: "排队中", ReportStage.FIGURES: "正在统计",
                ReportStage.SPREADSHEET: "正在生成表格", ReportStage.PDF: "正在生成 PDF",
                ReportStage.DONE: "已完成", ReportStage.FAILED: "生成失败"}


def report_dir() -> Path:
    path = Path(current_app.config["DATA_DIR"]) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def request_report(session: Session, actor: User, *, year: int, month: int) -> MonthlyReport:
    """Queue the monthly report of ``year``-``month`` (checked first); the caller commits."""
    monthly_service.periods(year, month)
    report = MonthlyReport(year=year, month=month, requested_by_id=actor.id,
                           stage=ReportStage.QUEUED)
    session.add(report)
    session.flush()
    report.job_id = jobs.enqueue(session, JOB, {"report_id": report.id}, actor=actor).id
    audit.record(session, actor, "statistics.report_request", report,
                 summary={"year": year, "month": month, "job_id": report.job_id})
    return report


def stage_of(session: Session, report: MonthlyReport) -> ReportStage:
    """The report's stage; a job that failed (or was lost) shows as failed."""
    if report.stage != ReportStage.DONE and report.job_id is not None:
        job = session.get(Job, report.job_id)
        if job is not None and job.status == JobStatus.FAILED:
            return ReportStage.FAILED
    return report.stage


def _stage(session: Session, report_id: int, stage: ReportStage) -> None:
    """Record progress and commit it, so the page sees it while the job runs. The job writes
    nothing else but derived rows (the calendar) before its end, so committing part-way
    leaves nothing half-done: a failure later marks the job, and so the report, failed."""
    session.execute(update(MonthlyReport).where(MonthlyReport.id == report_id)
                    .values(stage=stage))
    session.commit()


@jobs.handler(JOB)
def _build(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    report = session.get(MonthlyReport, payload.get("report_id"))
    if report is None:
        raise NotFoundError("月报不存在")
    actor = session.get(User, report.requested_by_id)
    if actor is None:
        raise NotFoundError("申请人不存在")
    _stage(session, report.id, ReportStage.FIGURES)
    today, settings = local_date(utcnow()), CaseSettings.from_config(current_app.config)
    figures = monthly_service.monthly_report(session, actor, year=report.year,
                                             month=report.month, today=today,
                                             settings=settings)
    base = f"monthly-report-{report.year}-{report.month:02d}-{report.id}"
    # The report goes upward in Chinese whoever asked for it (and there is no request here).
    with force_locale("zh_CN"):
        _stage(session, report.id, ReportStage.SPREADSHEET)
        write_xlsx(figures, report_dir() / f"{base}.xlsx")
        _stage(session, report.id, ReportStage.PDF)
        (report_dir() / f"{base}.pdf").write_bytes(render_pdf(
            "statistics/pdf/monthly.html", report=figures, generated=utcnow(),
            hours_note=figures.hours_note))
    session.refresh(report)
    report.xlsx_name, report.pdf_name = f"{base}.xlsx", f"{base}.pdf"
    report.stage, report.finished_at = ReportStage.DONE, utcnow()
    session.flush()
    return {"report_id": report.id, "files": [report.xlsx_name, report.pdf_name]}


# ---- the spreadsheet -----------------------------------------------------------------------

def _cell(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _table(ws: Any, title: str, head: list[str], rows: list[tuple[Any, ...]],
           total: tuple[Any, ...] | None = None) -> None:
    bold = styles.Font(bold=True)
    ws.append([title])
    ws.cell(ws.max_row, 1).font = styles.Font(bold=True, size=12)
    ws.append(head)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in rows:
        ws.append([_cell(v) for v in row])
    if total is not None:
        ws.append([_cell(v) for v in total])
        for cell in ws[ws.max_row]:
            cell.font = bold
    ws.append([])


def _breakdown(ws: Any, title: str, first: str, b: Breakdown) -> None:
    _table(ws, title, [first, _("本月"), _("本年累计")],
           [(_(label), m, y) for label, m, y in b.rows], (_("合计"), b.month_total, b.year_total))


def _spread(value: float | None) -> Any:
    return "—" if value is None else value


def write_xlsx(report: Figures, path: Path) -> None:
    """The report as a workbook: cases, money, social forces, timeliness (one sheet each)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("个案")
    ws.append([_("%(year)s年%(month)s月救急难工作月报", year=report.year, month=report.month)])
    ws.cell(1, 1).font = styles.Font(bold=True, size=14)
    ws.append([_("统计期间"), f"{report.month_period.start} — {report.month_period.last}",
               _("本年累计自 %(d)s 起", d=report.year_period.start)])
    ws.append([])
    _breakdown(ws, _("按急难类别"), _("类别"), report.categories)
    _breakdown(ws, _("按来源渠道"), _("渠道"), report.channels)
    _breakdown(ws, _("按镇（街道）"), _("镇（街道）"), report.towns)
    ws = wb.create_sheet(_("资金"))
    _breakdown(ws, _("按资金来源（元）"), _("来源"), report.money_sources)
    _breakdown(ws, _("政府救助按政策（元）"), _("政策"), report.money_schemes)
    ws = wb.create_sheet(_("社会力量"))
    _table(ws, _("社会力量参与"), [_("项目"), _("本月"), _("本年累计")],
           [(_(label), m, y) for label, m, y in report.social])
    if report.hours_note:
        ws.append([_(report.hours_note)])
    ws = wb.create_sheet(_("办理时效"))
    for title, figures in ((_("本月"), report.timeliness_month),
                           (_("本年累计"), report.timeliness_year)):
        head = [_("镇（街道）"), _("登记个案"), _("获首次救助"), _("至首次救助中位工作日"),
                _("至首次救助90%分位工作日"), _("已办结"), _("至办结中位工作日"),
                _("至办结90%分位工作日")]
        rows: list[tuple[Any, ...]] = [(_(r.label), r.received, r.helped, _spread(r.help_days.median),
                 _spread(r.help_days.p90), r.closed, _spread(r.closure_days.median),
                 _spread(r.closure_days.p90)) for r in [*figures.cases, figures.case_total]]
        rows[-1] = (_("全县"), *rows[-1][1:])
        _table(ws, _("个案办理时效（%(period)s）", period=title), head, rows)
        head = [_("镇（街道）"), _("环节数"), _("已完成"), _("按时完成"), _("按时率（%）"),
                _("超时"), _("超期未办")]
        rows = [(_(r.label), r.steps, r.done, r.on_time, _spread(r.on_time_rate), r.late,
                 r.open_overdue) for r in [*figures.steps, figures.step_total]]
        rows[-1] = (_("全县"), *rows[-1][1:])
        _table(ws, _("环节按时情况（%(period)s）", period=title), head, rows)
    for sheet in wb.worksheets:
        sheet.column_dimensions["A"].width = 34
        for col in "BCDEFGH":
            sheet.column_dimensions[col].width = 16
    wb.save(path)


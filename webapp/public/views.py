"""Public pages: home, needs, projects, organisations and the transparency page.

Need pages show the anonymized need card only; nothing here reads the case behind it.
"""
from __future__ import annotations

import csv
import io
import json

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from webapp import caching
from webapp.extensions import db
from webapp.models import CATEGORY_LABELS, Category, Organisation, OrgKind, OrgStatus
from webapp.models.catalog import URGENCY_LABELS
from webapp.models.resources import Fund, ListingStatus, Offer, Scheme
from webapp.permissions import PUBLIC, access
from webapp.public import bp
from webapp.services import browse, delivery, ledger, transparency
from webapp.services.delivery import HELP_SOURCE_LABELS, OUTCOME_LABELS
from webapp.services.listing_rules import town_ids
from webapp.services.transparency import SOURCE_LABELS

PUBLIC_ORG_KINDS = (OrgKind.CHARITY, OrgKind.ENTERPRISE, OrgKind.VOLUNTEER_TEAM,
                    OrgKind.DEPARTMENT, OrgKind.CIVIL_AFFAIRS)
GAP_CHOICES = [("", "", "不限"), ("0.01", "", "尚有缺口"), ("0.01", "5000", "5千元以内"),
               ("5000", "20000", "5千至2万元"), ("20000", "", "2万元以上")]


def _page_args() -> tuple[int, int]:
    page = request.args.get("page", "1")
    return (int(page) if page.isdigit() and 0 < int(page) < 100000 else 1), 12


def _filter_context(filters: browse.Filters) -> dict:
    return {"filters": filters, "towns": town_ids(db.session),
            "categories": CATEGORY_LABELS, "urgency_labels": URGENCY_LABELS,
            "gap_choices": GAP_CHOICES}


@bp.route("/home")
@access(PUBLIC)
def home():
    urgent = browse.published_needs(db.session)[:6]
    featured = browse.featured_projects(db.session, limit=6)
    totals = caching.lasting("county_totals", lambda: transparency.county_totals(db.session))
    return render_template("public/home.html", urgent=urgent, featured=featured,
                           totals=totals, categories=CATEGORY_LABELS,
                           urgency_labels=URGENCY_LABELS)


@bp.route("/needs")
@access(PUBLIC)
def needs():
    filters = browse.Filters.parse(request.args)
    number, per_page = _page_args()
    page = browse.ListPagination(browse.published_needs(db.session, filters), page=number,
                                 per_page=per_page)
    return render_template("public/needs.html", page=page, **_filter_context(filters))


@bp.route("/needs/<int:need_id>")
@access(PUBLIC)
def need(need_id: int):
    view = browse.published_need(db.session, need_id)
    if view is None:
        closed = browse.closed_need(db.session, need_id) or abort(404)
        return render_template("public/need_closed.html", view=closed,
                               categories=CATEGORY_LABELS, outcome_labels=OUTCOME_LABELS,
                               source_labels=HELP_SOURCE_LABELS)
    return render_template("public/need.html", view=view, categories=CATEGORY_LABELS,
                           urgency_labels=URGENCY_LABELS)


@bp.route("/projects")
@access(PUBLIC)
def projects():
    filters = browse.Filters.parse(request.args)
    number, per_page = _page_args()
    page = browse.paginate_projects(db.session, filters, page=number, per_page=per_page)
    return render_template("public/projects.html", page=page, **_filter_context(filters))


@bp.route("/projects/<int:project_id>")
@access(PUBLIC)
def project(project_id: int):
    view = browse.listed_project(db.session, project_id) or abort(404)
    return render_template("public/project.html", view=view,
                           money=ledger.held_and_promised(db.session, "project", view.project), categories=CATEGORY_LABELS,
                           towns=town_ids(db.session))


@bp.route("/organisations/<int:org_id>")
@access(PUBLIC)
def organisation(org_id: int):
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind not in PUBLIC_ORG_KINDS or org.status != OrgStatus.APPROVED:
        abort(404)
    number, _ = _page_args()
    page = browse.paginate_projects(db.session, browse.Filters(), page=number, per_page=12,
                                    organisation_id=org.id)

    def listed(model):
        return db.session.scalars(select(model).where(
            model.organisation_id == org.id, model.status == ListingStatus.LISTED)
            .order_by(model.title).limit(50)).all()

    # Individual volunteers' offers are listed by their team only, never by person.
    offers = [o for o in listed(Offer) if o.volunteer_id is None]
    funds = listed(Fund)
    return render_template("public/organisation.html", org=org, page=page,
                           funds=funds, held={f.id: ledger.held_and_promised(
                               db.session, "fund", f)["held"] for f in funds}, offers=offers, schemes=listed(Scheme),
                           towns=town_ids(db.session), categories=CATEGORY_LABELS,
                           hours_delivered=delivery.organisation_hours(db.session, org.id))


@bp.route("/schemes")
@access(PUBLIC)
def schemes():
    rows = db.session.scalars(select(Scheme).where(Scheme.status == ListingStatus.LISTED)
                              .order_by(Scheme.code)).all()
    return render_template("public/schemes.html", schemes=rows, categories=CATEGORY_LABELS)


@bp.route("/transparency")
@access(PUBLIC)
def transparency_page():
    totals = caching.lasting("county_totals", lambda: transparency.county_totals(db.session))
    tables = _transparency_tables(totals)
    charts = {name: json.dumps({"labels": [label for label, _ in rows],
                                "values": [float(v) for _, v in rows]}, ensure_ascii=False)
              for name, (_, rows) in tables.items()}
    hours_rows = _hours_rows(totals)
    hours_chart = json.dumps({"labels": [label for label, _ in hours_rows],
                              "values": [float(v) for _, v in hours_rows]}, ensure_ascii=False)
    return render_template("public/transparency.html", totals=totals, tables=tables,
                           charts=charts, definitions=transparency.DEFINITIONS,
                           source_labels=SOURCE_LABELS, hours_rows=hours_rows,
                           hours_chart=hours_chart)


def _transparency_tables(totals) -> dict[str, tuple[str, list[tuple[str, object]]]]:
    """Each breakdown of the money as (title, [(label, amount)]); all sum to the total."""
    return {
        "sources": (_("救助资金来源"), [(_(SOURCE_LABELS.get(k, k)), v)
                                    for k, v in totals.money_by_source.items()]),
        "towns": (_("各镇（街道）救助资金"), [(_(k) if k == transparency.UNASSIGNED else k, v)
                                       for k, v in totals.money_by_town.items()]),
        "categories": (_("按救助类别"), [
            (_(CATEGORY_LABELS[Category(k)]) if k != transparency.UNASSIGNED else _(k), v)
            for k, v in totals.money_by_category.items()]),
    }


@bp.route("/transparency/hours.csv")
@access(PUBLIC)
def transparency_hours_csv():
    """Volunteer hours delivered, by town, as CSV (UTF-8 with BOM, opens in Excel)."""
    totals = transparency.county_totals(db.session)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("志愿服务小时（已完成）"), _("统计期间"),
                     f"{totals.period_start or '—'} — {totals.period_end}"])
    writer.writerow([_("项目"), _("小时")])
    for label, hours in _hours_rows(totals):
        writer.writerow([label, f"{hours:.2f}"])
    writer.writerow([_("合计"), f"{totals.hours_delivered:.2f}"])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=transparency-hours.csv"})


def _hours_rows(totals) -> list[tuple[str, object]]:
    return [(_(k) if k == transparency.UNASSIGNED else k, v)
            for k, v in totals.hours_by_town.items()]


@bp.route("/transparency/<any(sources, towns, categories):table>.csv")
@access(PUBLIC)
def transparency_csv(table: str):
    """One breakdown of the transparency page as CSV (UTF-8 with BOM, opens in Excel)."""
    totals = caching.lasting("county_totals", lambda: transparency.county_totals(db.session))
    title, rows = _transparency_tables(totals)[table]
    out = io.StringIO()
    writer = csv.writer(out)
    period = f"{totals.period_start or '—'} — {totals.period_end}"
    writer.writerow([title, _("统计期间"), period])
    writer.writerow([_("项目"), _("金额（元）")])
    for label, amount in rows:
        writer.writerow([label, f"{amount:.2f}"])
    writer.writerow([_("合计"), f"{totals.money_total:.2f}"])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=transparency-{table}.csv"})



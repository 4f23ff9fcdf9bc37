"""Find a person by ID number, export what is held about them, correct it (officer, admin).

Nothing personal travels in a URL: the ID number is posted, and the pages show masked values
until the officer asks for a correction, whose confirmation shows old and new side by side.
Each step is one audit event (``privacy.find``, ``privacy.export``, ``privacy.correct``)
holding counts, reason codes and field names only.
"""
from __future__ import annotations

import datetime as dt
import json

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Applicant, Case
from webapp.permissions import R, access, roles
from webapp.person_data import bp
from webapp.person_data.forms import CorrectForm, ExportForm, FindForm
from webapp.privacy.infrastructure.crypto import normalise_id_number
from webapp.privacy.publishing.redact import mask_id_number, mask_name, mask_phone
from webapp.services import DomainError, retention
from webapp.templating import list_sep

STAFF = roles(R.OFFICER, R.ADMIN)


def _hash_key() -> str:
    return str(current_app.config["PERSON_HASH_KEY"])


def _masked(applicant: Applicant) -> dict[str, str]:
    purged = applicant.purged_at is not None
    return {"name": applicant.name if purged else mask_name(applicant.name or ""),
            "id_number": "—" if purged else mask_id_number(applicant.id_number or ""),
            "phone": mask_phone(applicant.phone) if applicant.phone else "—",
            "address": _("已登记") if applicant.address else "—",
            "birth_date": (applicant.birth_date or "—")[:4] + ("-**-**" if applicant.birth_date
                                                              else "")}


def _cases(applicant: Applicant) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.applicant_id == applicant.id)
                                   .order_by(Case.id)))


def _applicant(applicant_id: int) -> Applicant:
    applicant = db.session.get(Applicant, applicant_id)
    if applicant is None:
        abort(404)
    return applicant


@bp.route("/", methods=["GET", "POST"])
@access(STAFF)
def find():
    """Find a person's records by their ID number (through the keyed hash)."""
    form = FindForm()
    people = None
    if form.validate_on_submit():
        try:
            found = retention.find_people(db.session, current_user, form.id_number.data or "",
                                          hash_key=_hash_key())
        except DomainError as exc:
            db.session.rollback()
            form.id_number.errors = [*form.id_number.errors, exc.message]
        else:
            db.session.commit()
            people = [(a, _masked(a), _cases(a)) for a in found]
        form.id_number.data = ""  # the number is not echoed back into the page
    return render_template("person_data/find.html", form=form, people=people)


@bp.get("/<int:applicant_id>")
@access(STAFF)
def person(applicant_id: int):
    applicant = _applicant(applicant_id)
    return render_template("person_data/person.html", applicant=applicant,
                           masked=_masked(applicant), cases=_cases(applicant),
                           export_form=ExportForm(), correct_form=CorrectForm(),
                           labels=retention.PERSON_FIELD_LABELS)


@bp.post("/<int:applicant_id>/export")
@access(STAFF)
def export(applicant_id: int):
    """Download everything held about the person as JSON (audited with the reason)."""
    applicant = _applicant(applicant_id)
    form = ExportForm()
    if not form.validate_on_submit():
        flash(_("请选择导出原因"), "danger")
        return redirect(url_for(".person", applicant_id=applicant.id))
    try:
        record = retention.export_person(db.session, current_user, applicant,
                                         reason=form.export_reason.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for(".person", applicant_id=applicant.id))
    db.session.commit()
    stamp = dt.date.today().isoformat()
    body = json.dumps(record, ensure_ascii=False, indent=1, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="person-{applicant.id}-{stamp}.json"',
        "Cache-Control": "no-store"})


def _changes(applicant: Applicant, form: CorrectForm) -> dict[str, str]:
    """The fields the officer filled in whose value differs from what is held."""
    changes = {}
    for name in retention.CORRECTABLE:
        value = (getattr(form, name).data or "").strip()
        if not value:
            continue
        held = getattr(applicant, name) or ""
        if name == "id_number":
            same = normalise_id_number(value) == normalise_id_number(held)
        else:
            same = value == held
        if not same:
            changes[name] = value
    return changes


@bp.post("/<int:applicant_id>/correct")
@access(STAFF)
def correct(applicant_id: int):
    """First post: show old and new values for confirmation; confirmed: write, audited."""
    applicant = _applicant(applicant_id)
    form = CorrectForm()
    page = {"applicant": applicant, "masked": _masked(applicant), "cases": _cases(applicant),
            "export_form": ExportForm(formdata=None), "correct_form": form,
            "labels": retention.PERSON_FIELD_LABELS}
    if not form.validate_on_submit():
        return render_template("person_data/person.html", **page), 400
    changes = _changes(applicant, form)
    if not changes:
        form.form_errors.append(_("填写的内容与现有信息相同，没有需要更正的字段"))
        return render_template("person_data/person.html", **page), 400
    if form.confirm.data != "yes":
        rows = [(retention.PERSON_FIELD_LABELS[n], getattr(applicant, n) or "—", v)
                for n, v in changes.items()]
        return render_template("person_data/confirm.html", applicant=applicant, form=form,
                               rows=rows)
    try:
        changed = retention.correct_person(db.session, current_user, applicant, changes,
                                           reason=form.reason.data or "",
                                           hash_key=_hash_key())
    except DomainError as exc:
        db.session.rollback()
        for name, messages in exc.errors.items():
            field = getattr(form, name, None)
            if field is not None and name in retention.CORRECTABLE + ("reason",):
                field.errors = [*field.errors, *messages]
            else:
                form.form_errors.extend(messages)
        if not exc.errors:
            form.form_errors.append(exc.message)
        return render_template("person_data/person.html", **page), exc.status
    db.session.commit()
    flash(_("已更正：%(fields)s", fields=list_sep().join(
        _(retention.PERSON_FIELD_LABELS[n]) for n in changed)), "success")
    return redirect(url_for(".person", applicant_id=applicant.id))

"""Helpers shared by the staff and public views of the doors area."""
from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Organisation, OrgKind
from webapp.services import DomainError
from webapp.services.doors.settings import DoorSettings


def door_settings() -> DoorSettings:
    return DoorSettings.from_config(current_app.config)


def town_choices() -> list[tuple[int, str]]:
    towns = db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.TOWN)
                               .order_by(Organisation.code, Organisation.id))
    return [(t.id, t.name) for t in towns]


def show_errors(form: FlaskForm, exc: DomainError, fallback: str,
                field_of: dict[str, str] | None = None) -> None:
    """Put a service's field errors under the form's fields (the rest under ``fallback``)."""
    field_of = field_of or {}
    for name, messages in exc.errors.items():
        target = getattr(form, field_of.get(name, name), None) or getattr(form, fallback)
        target.errors = [*target.errors, *messages]
    if not exc.errors:
        target = getattr(form, fallback)
        target.errors = [*target.errors, exc.message]

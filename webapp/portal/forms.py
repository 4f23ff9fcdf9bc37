"""Forms of the organisation portals. Money, numbers and lists are checked by the listing
service (all errors at once, in Chinese); the forms carry the CSRF token and lengths."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.admin.forms import MultiCheckboxField
from webapp.forms import choices
from webapp.models import CATEGORY_LABELS
from webapp.models.catalog import SERVICES, VULNERABILITY_FLAGS


class LocalDateField(DateField):
    """A date input whose parse error is a Chinese message."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = dt.date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("日期格式不正确，请按 年-月-日 填写")) from None


def category_choices():
    return choices((c.value, label) for c, label in CATEGORY_LABELS.items())


def flag_choices():
    return choices(VULNERABILITY_FLAGS.items())


def _multi(label):
    return MultiCheckboxField(label, validate_choice=False)


class ListingForm(FlaskForm):
    title = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=120)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=5000)])
    categories = _multi(_l("救助类别（不选表示不限）"))
    towns = _multi(_l("服务乡镇（街道）（不选表示全县）"))

    def set_choices(self, towns: dict[int, str]) -> None:
        self.categories.choices = category_choices()
        self.towns.choices = choices((str(i), n) for i, n in towns.items())

    def listing_data(self) -> dict:
        """Field values for the listing service (strings are parsed there)."""
        skip = {"csrf_token", "submit"}
        return {name: field.data for name, field in self._fields.items() if name not in skip}


class ProjectForm(ListingForm):
    budget = StringField(_l("总预算（元）"), validators=[Length(max=20)])
    per_case_cap = StringField(_l("单例上限（元，可不填）"), validators=[Length(max=20)])
    min_age = StringField(_l("最低年龄"), validators=[Length(max=3)])
    max_age = StringField(_l("最高年龄"), validators=[Length(max=3)])
    requires = _multi(_l("家庭情况要求（不选表示不限）"))
    starts_on = LocalDateField(_l("开始日期"), validators=[Optional()])
    ends_on = LocalDateField(_l("结束日期"), validators=[Optional()])

    def set_choices(self, towns):
        super().set_choices(towns)
        self.requires.choices = flag_choices()


class FundForm(ListingForm):
    capital = StringField(_l("基金规模（元）"), validators=[Length(max=20)])
    per_case_cap = StringField(_l("单例上限（元，可不填）"), validators=[Length(max=20)])


class OfferForm(ListingForm):
    services = _multi(_l("服务类型"))
    skills = StringField(_l("专业技能"), validators=[Length(max=200)])
    hours_per_week = StringField(_l("每周可服务小时数"), validators=[Length(max=3)])
    max_cases = StringField(_l("可同时服务个案数"), validators=[Length(max=3)])
    available_from = LocalDateField(_l("可服务起始日"), validators=[Optional()])
    available_until = LocalDateField(_l("可服务截止日"), validators=[Optional()])

    def set_choices(self, towns):
        super().set_choices(towns)
        self.services.choices = choices((s, s) for s in SERVICES)


class SchemeForm(ListingForm):
    organisation_id = SelectField(_l("主管部门"), validate_choice=False)
    code = StringField(_l("政策编码"), validators=[Length(max=40)])
    min_amount = StringField(_l("最低救助金额（元）"), validators=[Length(max=20)])
    max_amount = StringField(_l("最高救助金额（元）"), validators=[Length(max=20)])
    annual_budget = StringField(_l("年度预算（元）"), validators=[Length(max=20)])
    times_per_year = StringField(_l("每人每年可享次数"), validators=[Length(max=2)])
    requires = _multi(_l("家庭情况要求（不选表示不限）"))

    def set_choices(self, towns):
        super().set_choices(towns)
        self.requires.choices = flag_choices()

    def set_departments(self, departments: dict[int, str]) -> None:
        self.organisation_id.choices = choices(
            [("", _l("请选择"))] + [(str(i), n) for i, n in departments.items()])

    def listing_data(self) -> dict:
        data = super().listing_data()
        raw = str(data.get("organisation_id") or "").strip()
        data["organisation_id"] = int(raw) if raw.isdigit() else None
        return data


class ActionForm(FlaskForm):
    """An empty form: it carries only the CSRF token of a POST button."""


class ReviewForm(FlaskForm):
    reason = TextAreaField(_l("审核意见（驳回时必填）"), validators=[Optional(), Length(max=500)])

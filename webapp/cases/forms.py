"""Forms of the case area. The services validate completely; these forms carry the fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import choices
from webapp.models import CATEGORY_LABELS, Household, HouseholdMember
from webapp.models.catalog import SERVICES, URGENCY_LABELS, VULNERABILITY_FLAGS
from webapp.services.cases.household import RELATION_LABELS
from webapp.services.cases.intake import SOURCE_LABELS
from webapp.services.consent import METHOD_LABELS, PROXY_RELATIONS, WINDOW_METHODS, ConsentInput


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()




class MemberForm(Form):
    """One household member row; an empty row is ignored. The service checks every value
    (relation included), so a bad one gets its Chinese message there."""

    name = StringField(_l("成员姓名"), validators=[Optional(), Length(max=40)])
    relation = SelectField(_l("与申请人关系"), validate_choice=False, choices=choices(
        [("", _l("（请选择）"))] + [(r.value, label) for r, label in RELATION_LABELS.items()]))
    id_number = StringField(_l("成员身份证号码（选填）"),
                            validators=[Optional(), Length(max=24)])
    flags = MultiCheckboxField(_l("成员情况"), choices=choices(
        (f, VULNERABILITY_FLAGS[f]) for f in HouseholdMember.FLAGS))


class ConsentFields:
    """The 告知同意 the window records before a case is made (intake, a lead's conversion);
    the service checks them (webapp/services/consent.py)."""

    consent_version = HiddenField()
    consent_agreed = BooleanField(_l("已向申请人告知个人信息的处理方式，申请人（或代理人）同意"))
    consent_method = RadioField(_l("告知方式"), default="paper", validate_choice=False,
                                choices=choices((m, METHOD_LABELS[m]) for m in WINDOW_METHODS))
    consent_proxy_name = StringField(_l("代为确认人姓名（申请人本人确认时不填）"),
                                     validators=[Optional(), Length(max=40)])
    consent_proxy_relation = SelectField(_l("代为确认人与申请人的关系"), validate_choice=False,
                                         choices=choices([("", _l("（申请人本人）"))]
                                                         + list(PROXY_RELATIONS.items())))

    def consent_input(self) -> ConsentInput:
        raw = (self.consent_version.data or "").strip()
        return ConsentInput(
            version=int(raw) if raw.isdigit() else None,
            agreed=bool(self.consent_agreed.data),
            method=self.consent_method.data or "",
            proxy_name=self.consent_proxy_name.data or "",
            proxy_relation=self.consent_proxy_relation.data or "")


class IntakeForm(ConsentFields, FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(2, 40)])
    id_number = StringField(_l("身份证号码"), validators=[DataRequired(), Length(15, 24)])
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("现住址"), validators=[Optional(), Length(max=200)])
    local_hukou = RadioField(_l("户籍"), default="local", choices=choices(
        [("local", _l("本县户籍")), ("nonlocal", _l("非本县户籍（常住人口，同样受理）"))]))
    town_id = SelectField(_l("镇（街道）"), coerce=int)
    village_id = SelectField(_l("村（社区）"), coerce=int, validators=[Optional()])
    category = SelectField(_l("急难类别"), choices=choices(
        (c.value, label) for c, label in CATEGORY_LABELS.items()))
    urgency = SelectField(_l("紧急程度"), coerce=int, default=2, choices=choices(
        URGENCY_LABELS.items()))
    amount_needed = StringField(_l("所需金额（元）"), validators=[DataRequired(), Length(max=20)])
    source = SelectField(_l("来源"), choices=choices(
        (s.value, label) for s, label in SOURCE_LABELS.items()))
    services = MultiCheckboxField(_l("服务需求"), choices=choices((s, s) for s in SERVICES))
    household_size = IntegerField(_l("家庭人口"), default=1,
                                  validators=[DataRequired(), NumberRange(1, 30)])
    household_flags = MultiCheckboxField(_l("家庭情况"), choices=choices(
        (f, VULNERABILITY_FLAGS[f]) for f in Household.FLAGS))
    description = TextAreaField(_l("困难情况"), validators=[DataRequired(), Length(10, 4000)])
    members = FieldList(FormField(MemberForm), min_entries=2, max_entries=20)
    confirm_duplicates = BooleanField(_l("我已核实，仍然登记"))


class AttachmentForm(FlaskForm):
    label = StringField(_l("材料名称"), validators=[DataRequired(), Length(1, 100)])
    file = FileField(_l("文件（PDF、JPG、PNG）"))


class ConferenceForm(FlaskForm):
    title = StringField(_l("会议名称"), validators=[DataRequired(), Length(2, 120)])
    scheduled_at = DateTimeLocalField(_l("会议时间"), format="%Y-%m-%dT%H:%M",
                                      validators=[DataRequired()])
    location = StringField(_l("地点"), validators=[Optional(), Length(max=120)])

"""Forms of the doors area. The services validate completely; these forms carry the fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from webapp.cases.forms import ConsentFields
from webapp.forms import choices
from webapp.models import CATEGORY_LABELS
from webapp.models.catalog import URGENCY_LABELS
from webapp.services.consent import PROXY_RELATIONS
from webapp.services.doors.leads import CLOSE_REASON_LABELS, LeadInput


class LeadForm(FlaskForm):
    """A finder's lead: who, where, what happened, how urgent, how to reach them."""

    name = StringField(_l("困难群众姓名或称呼"), validators=[Length(max=40)])
    town_id = SelectField(_l("所在镇（街道）"), coerce=int)
    address = StringField(_l("住址或所在地点"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=20)])
    description = TextAreaField(_l("发生了什么"), validators=[Length(max=2000)])
    urgency = SelectField(_l("紧急程度"), coerce=int, default=2,
                          choices=choices(URGENCY_LABELS.items()))

    def lead_input(self, *, on_behalf: bool) -> LeadInput:
        """What was typed, as the services take it (they validate every field)."""
        return LeadInput(name=self.name.data or "", town_id=self.town_id.data or None,
                         description=self.description.data or "", phone=self.phone.data or "",
                         address=self.address.data or "", urgency=self.urgency.data or 2,
                         on_behalf=on_behalf)


class ApplyForm(LeadForm):
    """The resident's own application: the same fields, a mobile phone required."""

    phone = StringField(_l("手机号码（接收验证码和办理结果）"), validators=[Length(max=20)])
    on_behalf = BooleanField(_l("我是替家人或邻居申请"))
    proxy_name = StringField(_l("您本人的姓名（替别人申请时填写）"),
                             validators=[Optional(), Length(max=40)])
    proxy_relation = SelectField(_l("您与需要帮助的人的关系（替别人申请时选择）"),
                                 validate_choice=False,
                                 choices=choices([("", _l("请选择"))] + list(PROXY_RELATIONS.items())))
    consent_version = HiddenField()
    consent_agreed = BooleanField(_l("我已阅读《个人信息处理告知书》，同意按告知的方式处理申请中的个人信息"))


class CodeForm(FlaskForm):
    ticket = HiddenField()
    code = StringField(_l("短信验证码"), validators=[Length(max=8)])


class LookupForm(FlaskForm):
    number = StringField(_l("申请编号或个案编号"), validators=[Length(max=24)])
    phone = StringField(_l("申请时留的手机号码"), validators=[Length(max=20)])


class AppealForm(FlaskForm):
    reason = TextAreaField(_l("申请复核的理由"), validators=[Length(max=1000)])


class WindowAppealForm(AppealForm):
    number = StringField(_l("个案编号"), validators=[Length(max=24)])


class ConvertForm(ConsentFields, FlaskForm):
    id_number = StringField(_l("身份证号码"), validators=[Length(max=24)])
    category = SelectField(_l("急难类别"), choices=choices(
        (c.value, label) for c, label in CATEGORY_LABELS.items()))
    amount_needed = StringField(_l("所需金额（元）"), validators=[Length(max=20)])
    local_hukou = RadioField(_l("户籍"), default="local", choices=choices(
        [("local", _l("本县户籍")), ("nonlocal", _l("非本县户籍（常住人口，同样受理）"))]))
    confirm_duplicates = BooleanField(_l("我已核实，仍然登记"))


class CloseForm(FlaskForm):
    reason = SelectField(_l("关闭原因"), choices=choices(
        (r.value, label) for r, label in CLOSE_REASON_LABELS.items()))
    note = TextAreaField(_l("说明（转介去向或不符合的条件）"), validators=[Length(max=500)])


class DecisionForm(FlaskForm):
    outcome = RadioField(_l("复核结论"), default="uphold", choices=choices(
        [("uphold", _l("维持原决定")), ("overturn", _l("撤销原决定，重新办理"))]))
    note = TextAreaField(_l("复核意见"), validators=[Length(max=1000)])

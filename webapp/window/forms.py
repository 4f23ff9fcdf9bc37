"""Forms of the window area. The services validate completely; these forms carry the fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from webapp.forms import choices
from webapp.services.complaints import TOPIC_LABELS


class ComplaintForm(FlaskForm):
    topic = SelectField(_l("投诉类别"), validate_choice=False, choices=choices(
        [("", _l("（请选择）"))] + [(t.value, label) for t, label in TOPIC_LABELS.items()]))
    town_id = SelectField(_l("涉及的镇（街道）"), coerce=int, validate_choice=False)
    case_number = StringField(_l("个案编号（选填）"), validators=[Optional(), Length(max=20)])
    content = TextAreaField(_l("投诉内容"), validators=[Length(max=2000)])
    contact_name = StringField(_l("称呼（选填）"), validators=[Optional(), Length(max=40)])
    contact_phone = StringField(_l("联系电话（选填，用于答复您）"),
                                validators=[Optional(), Length(max=20)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("书面答复"), validators=[Length(max=2000)])


class WindowForm(FlaskForm):
    address = StringField(_l("窗口地址"), validators=[Length(max=200)])
    opening_hours = StringField(_l("办公时间"), validators=[Length(max=200)])
    phone = StringField(_l("窗口电话"), validators=[Length(max=20)])
    supervision_phone = StringField(_l("监督电话（留空则用县民政局监督电话）"),
                                    validators=[Optional(), Length(max=20)])

"""Forms of the person-data pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from webapp.forms import choices
from webapp.services.retention import EXPORT_REASONS


class FindForm(FlaskForm):
    id_number = StringField(_l("身份证号码"), validators=[DataRequired(), Length(max=40)])


class ExportForm(FlaskForm):
    export_reason = SelectField(_l("导出原因"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.export_reason.choices = choices(EXPORT_REASONS.items())


class CorrectForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[Optional(), Length(max=60)])
    id_number = StringField(_l("身份证号"), validators=[Optional(), Length(max=40)])
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("住址"), validators=[Optional(), Length(max=200)])
    birth_date = StringField(_l("出生日期（YYYY-MM-DD）"), validators=[Optional(), Length(max=10)])
    reason = StringField(_l("更正依据（如户口簿、身份证复印件）"),
                         validators=[DataRequired(), Length(max=200)])
    confirm = HiddenField()

"""Forms of the admin blueprint."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import choices
from webapp.models import Role
from webapp.templating import ROLE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices():
    return choices((r.value, ROLE_LABELS[r]) for r in Role)


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(3, 64)])
    display_name = StringField(_l("显示名称"), validators=[DataRequired(), Length(max=64)])
    organisation_id = SelectField(_l("所属机构"), coerce=int)
    roles = MultiCheckboxField(_l("角色"), validators=[DataRequired(_l("至少选择一个角色"))])
    password = PasswordField(_l("初始密码（至少 10 位）"),
                             validators=[DataRequired(), Length(10, 128)])


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("角色"), validators=[DataRequired(_l("至少选择一个角色"))])
    active = BooleanField(_l("账户启用"))


class DecisionForm(FlaskForm):
    """An empty form: it carries only the CSRF token of a POST button."""

"""Forms of the auth blueprint."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from webapp.forms import choices


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=128)])


class RegisterForm(FlaskForm):
    account_type = RadioField(_l("注册类型"), default="donor", choices=choices([
        ("donor", _l("爱心人士（个人）")), ("volunteer", _l("志愿者（个人）")),
        ("charity", _l("慈善组织 / 社会组织")), ("enterprise", _l("企业（救急难公益基金）")),
        ("volunteer_team", _l("志愿服务队"))]))
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(3, 64)])
    display_name = StringField(_l("显示名称"), validators=[DataRequired(_l("请输入显示名称")),
                                                       Length(max=64)])
    email = EmailField(_l("电子邮箱（可选）"), validators=[Optional(), Email(_l("邮箱格式不正确")),
                                                       Length(max=254)])
    org_name = StringField(_l("机构名称（机构注册时填写）"), validators=[Optional(), Length(max=120)])
    org_contact = StringField(_l("机构联系人及电话（机构注册时填写）"),
                              validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("密码（至少 10 位）"), validators=[DataRequired(_l("请输入密码")),
                                                           Length(10, 128, _l("密码长度须为 10–128 位"))])
    confirm = PasswordField(_l("确认密码"), validators=[EqualTo("password", _l("两次输入的密码不一致"))])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码"))])
    new = PasswordField(_l("新密码（至少 10 位）"), validators=[DataRequired(_l("请输入新密码")),
                                                         Length(10, 128, _l("密码长度须为 10–128 位"))])
    confirm = PasswordField(_l("确认新密码"), validators=[EqualTo("new", _l("两次输入的密码不一致"))])



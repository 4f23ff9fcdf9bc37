"""The donor's pledge form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from webapp.forms import choices
from webapp.models.catalog import SERVICES


class PledgeForm(FlaskForm):
    kind = RadioField(_l("认捐方式"), default="money", choices=choices([
        ("money", _l("捐款")), ("service", _l("提供服务"))]))
    amount = StringField(_l("认捐金额（元）"), validators=[Length(max=20)])
    service = SelectField(_l("服务类型"), validate_choice=False, choices=choices(
        [("", _l("请选择"))] + [(s, s) for s in SERVICES]))
    message = TextAreaField(_l("留言（可选，仅接收方可见）"),
                            validators=[Optional(), Length(max=500)])

    def pledge_data(self) -> dict:
        money = self.kind.data != "service"
        return {"amount": self.amount.data if money else None,
                "service": None if money else self.service.data,
                "message": self.message.data}

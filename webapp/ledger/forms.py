"""Forms of the money pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.forms import choices
from webapp.models.ledger import PAYMENT_METHOD_LABELS


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (second approval, confirm)."""


class DisburseForm(FlaskForm):
    payee = StringField(_l("收款人（医院、单位或本人）"), validators=[
        DataRequired(_l("请填写收款人")), Length(max=200)])
    method = SelectField(_l("支付方式"), validators=[DataRequired(_l("请选择支付方式"))])
    voucher_number = StringField(_l("凭证号"), validators=[
        DataRequired(_l("请填写凭证号")), Length(max=40)])
    paid_on = DateField(_l("支付日期"), validators=[DataRequired(_l("请填写支付日期"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = choices((m.value, _l(label))
                                      for m, label in PAYMENT_METHOD_LABELS.items())


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(_l("请填写原因")),
                                                  Length(max=500)])


class AmountReasonForm(ReasonForm):
    amount = StringField(_l("金额（元）"), validators=[DataRequired(_l("请填写金额"))])


class TopUpForm(FlaskForm):
    amount = StringField(_l("金额（元）"), validators=[DataRequired(_l("请填写金额"))])
    reference = StringField(_l("资金来源说明"), validators=[Length(max=120)])

"""Forms of the matching pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.forms import choices
from webapp.models.matching import REJECT_REASON_LABELS


class RunForm(FlaskForm):
    """The 运行匹配 button."""


class ApproveForm(FlaskForm):
    amount = StringField(_l("批准数额"), validators=[Optional(), Length(max=20)])


class RejectForm(FlaskForm):
    reason_code = SelectField(_l("驳回原因"), validators=[DataRequired(_l("请选择驳回原因"))])
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_code.choices = choices((r.value, _l(label))
                                           for r, label in REJECT_REASON_LABELS.items())


class RespondForm(FlaskForm):
    decision = RadioField(_l("答复"), validators=[DataRequired(_l("请选择接受或婉拒"))])
    note = TextAreaField(_l("说明（婉拒时必填）"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("accept", _l("接受")), ("decline", _l("婉拒"))])


class SessionForm(FlaskForm):
    """One session of service delivered under an accepted pairing."""

    delivered_on = StringField(_l("服务日期"), validators=[DataRequired(_l("请填写服务日期"))],
                               render_kw={"type": "date"})
    hours = StringField(_l("服务时长（小时）"), validators=[DataRequired(_l("请填写服务时长（小时）")),
                                                      Length(max=10)],
                        render_kw={"inputmode": "decimal"})
    note = TextAreaField(_l("简要说明"), validators=[Optional(), Length(max=200)],
                         render_kw={"rows": 2, "maxlength": 200})

"""The review form: the officer's edits of a card's title and story."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class ReviewForm(FlaskForm):
    title = StringField(_l("标题"))
    story = TextAreaField(_l("需求说明"))


class UnpublishForm(FlaskForm):
    reason = StringField(_l("撤下理由"))

"""Domain errors are msgids: the English interface shows them in English, the Chinese one
(and the command line) in Chinese."""
import pytest
from sqlalchemy import select

from webapp.models import ListingStatus
from webapp.models.resources import ListingReview
from webapp.services import DomainError

pytestmark = pytest.mark.usefixtures("demo_base")


@pytest.fixture
def english(app):
    from babel.messages.mofile import write_mo

    from tests.webapp.test_translations import MO, PO, _read
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        with MO.open("wb") as fh:
            write_mo(fh, _read(PO))
    from flask_babel import get_domain
    get_domain().cache.clear()
    return app


def test_review_error_in_english_and_chinese(english, client, auth, db, make_project):
    make_project(status=ListingStatus.PENDING_REVIEW)
    review_id = db.session.scalars(select(ListingReview.id)).one()
    auth.login("officer")
    response = auth.post(f"/portal/review/{review_id}", {"decision": "reject", "reason": ""})
    assert "驳回时请填写原因" in response.get_data(as_text=True)
    client.get("/lang/en")
    response = auth.post(f"/portal/review/{review_id}", {"decision": "reject", "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give a reason when rejecting" in html and "驳回时请填写原因" not in html


def test_message_with_values_is_translated_with_its_values(english):
    from decimal import Decimal

    from flask import session

    from webapp.services.cases.money import parse_amount
    with pytest.raises(DomainError) as caught:
        parse_amount("5000", field="amount", maximum=Decimal(3000))
    with english.test_request_context("/"):
        session["lang"] = "en"
        assert caught.value.message == "The amount cannot exceed ¥3,000.00"
        assert caught.value.errors == {"amount": ["The amount cannot exceed ¥3,000.00"]}
    assert str(caught.value) == "金额不能超过 3,000.00 元"  # logs and the CLI keep the original

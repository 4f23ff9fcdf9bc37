"""Explanations in the API (labelled terms, largest first, adding up) and in English."""
from __future__ import annotations

import re

import pytest

from tests.factories import ident
from tests.webapp.test_translations import HAN, english  # noqa: F401  (fixture)


@pytest.fixture
def proposed(published_need, listed_resource, run_batch_via_api):
    need = published_need("梁村镇", needed="8000")
    listed_resource("project", title="梁村镇大病医疗救助项目",
                 description="为梁村镇重病住院家庭补助手术和住院医疗费用。", towns=("梁村镇",))
    run_batch_via_api()
    return need


def test_api_gives_labelled_terms_largest_first_that_add_up(client, api_token, proposed):
    headers = api_token()
    page = client.get(f"/api/v1/proposals?need_id={ident(proposed)}", headers=headers).get_json()
    suggestions = client.get(f"/api/v1/needs/{ident(proposed)}/suggestions",
                             headers=headers).get_json()
    for item in page["items"] + suggestions["items"]:
        terms = item["explanation_terms"]
        values = [t["contribution"] for t in terms]
        assert values == sorted(values, reverse=True)
        assert sum(values) == pytest.approx(item["score"], abs=1e-5)
        labels = {t["term"]: t["label"] for t in terms}
        assert labels["same_town"] == "本镇资源" and labels["urgency"] == "紧急程度"


def test_proposals_page_in_english_names_every_term(english, client, auth, proposed,  # noqa: F811
                                                    officer2):
    client.get("/lang/en")
    auth.login("officer2")
    client.get("/lang/en")
    html = client.get("/matching/").get_data(as_text=True)
    reasons = re.search(r'<ul class="list-unstyled small mb-0 match-reasons".*?</ul>', html,
                        re.DOTALL).group(0)
    assert "Made for this situation" in reasons or "Local resource" in reasons
    assert "Total" in reasons
    assert HAN.findall(reasons) == []

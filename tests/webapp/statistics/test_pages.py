"""The statistics page, its CSV and the drill-down into the cases list."""
from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace

import pytest

from tests.webapp.statistics.test_timeliness import at

PERIOD = "from=2026-03&to=2026-04"


@pytest.fixture
def two_towns(case_walked_at):
    late = case_walked_at("梁村镇", at("2026-03-03"), [("accept", at("2026-03-06"))])
    on_time = case_walked_at("梁村镇", at("2026-03-04"), [("accept", at("2026-03-04", 15))])
    other = case_walked_at("清平镇", at("2026-03-05"), [("accept", at("2026-03-05", 15))])
    return [SimpleNamespace(id=c.id, number=c.number, town_id=c.town_id)
            for c in (late, on_time, other)]


def test_statistics_page_links_to_its_cases_and_gives_its_csv(client, auth, two_towns):
    late, on_time, other = two_towns
    auth.login("officer")
    html = client.get(f"/statistics/?{PERIOD}&by=town").get_data(as_text=True)
    assert "梁村镇" in html and "清平镇" in html
    assert 'id="cases-chart"' in html and 'id="cases-table"' in html
    pattern = r'href="(/cases/\?[^"]*measure=received[^"]*key=' + str(late.town_id) + '[^"]*)"'
    drill = re.search(pattern, html.replace("&amp;", "&"))
    assert drill, "no drill-down link for the town's received cases"
    listing = client.get(drill.group(1)).get_data(as_text=True)
    assert late.number in listing and on_time.number in listing
    assert other.number not in listing
    assert "统计明细" in listing
    # and the step table as CSV
    response = client.get(f"/statistics/steps.csv?{PERIOD}&by=step")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    acceptance = next(r for r in rows if r[0] == "受理")
    # steps, done, on time, rate, late, open overdue
    assert acceptance[1:] == ["3", "3", "2", "66.7", "1", "0"]
    assert rows[-1][0] == "合计"


def test_statistics_town_window_sees_only_its_town_and_bad_input_is_a_400(client, auth,
                                                                          two_towns):
    late, _, other = two_towns
    auth.login("intake2")  # 清平镇
    html = client.get(f"/statistics/?{PERIOD}&by=town&town={late.town_id}").get_data(
        as_text=True)
    assert "清平镇" in html
    assert 'id="f-town"' not in html
    listing = client.get(f"/cases/?measure=received&{PERIOD}&by=town").get_data(as_text=True)
    assert other.number in listing and late.number not in listing
    response = client.get("/statistics/?from=2026-05&to=2026-01")
    assert response.status_code == 400
    assert "结束月份不能早于开始月份" in response.get_data(as_text=True)
    assert client.get("/cases/?measure=nothing&from=2026-03").status_code == 400
    assert client.get("/statistics/cases.csv?by=colour").status_code == 400


def test_statistics_refused_to_donors(client, auth, demo_base):
    auth.login("donor")
    assert client.get("/statistics/").status_code == 403

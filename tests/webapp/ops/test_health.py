"""Health probes and the Prometheus endpoint."""
import datetime as dt

import pytest

from webapp.models import Job, SearchOutbox, utcnow
from webapp.models.search_outbox import OutboxOp

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def metrics_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return {"Authorization": f"Bearer {TOKEN}"}


def _stale_outbox_row(db, seconds: float) -> None:
    db.session.add(SearchOutbox(kind="need", object_id=1, op=OutboxOp.UPSERT,
                                created_at=utcnow() - dt.timedelta(seconds=seconds)))
    db.session.commit()


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_on_a_working_host(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert {"database", "outbox", "jobs", "keys", "search_index"} <= set(body["checks"])


def test_readyz_turns_unavailable_when_the_outbox_stops_draining(app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "READY_OUTBOX_LAG_SECONDS", 60)
    _stale_outbox_row(db, seconds=30)
    assert client.get("/readyz").status_code == 200
    _stale_outbox_row(db, seconds=600)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["outbox"] == "fail"
    assert body["checks"]["database"] == "ok"


def test_readyz_public_body_shows_no_figures(app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "READY_OUTBOX_LAG_SECONDS", 60)
    _stale_outbox_row(db, seconds=12345)
    text = client.get("/readyz").get_data(as_text=True)
    assert "12345" not in text and "limit" not in text and "waiting" not in text


def test_readyz_turns_unavailable_when_jobs_pile_up(app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "READY_JOBS_QUEUED_MAX", 2)
    db.session.add_all([Job(kind="noop", payload="{}") for _ in range(3)])
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["jobs"] == "fail"


def test_readyz_only_degrades_when_the_search_engine_is_down(app, client, monkeypatch):
    class Broken:
        def health(self):
            raise ConnectionError("engine down")

    monkeypatch.setitem(app.extensions, "search_backend", Broken())
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["search_index"] == "degraded"


def test_metrics_do_not_exist_without_a_configured_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    monkeypatch.delenv("JIUJINAN_METRICS_TOKEN", raising=False)
    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_a_missing_or_wrong_token(client, metrics_token):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert "jiujinan_" not in wrong.get_data(as_text=True)


def test_metrics_label_latency_by_route_without_path_values_or_query(client, metrics_token):
    client.get("/cases/987654?q=%E5%BC%A0%E4%B8%89")
    text = client.get("/metrics", headers=metrics_token).get_data(as_text=True)
    assert 'route="/cases/<int:case_id>"' in text
    # The labels, not the samples: a sample's value (a *_created timestamp) may hold any digits.
    labels = "\n".join(line.rsplit(" ", 1)[0] for line in text.splitlines()
                       if line and not line.startswith("#"))
    assert "987654" not in labels
    assert "张三" not in text and "%E5" not in text


def test_metrics_report_outbox_and_jobs(db, client, metrics_token):
    _stale_outbox_row(db, seconds=120)
    db.session.add(Job(kind="noop", payload="{}", status="failed"))
    db.session.commit()
    text = client.get("/metrics", headers=metrics_token).get_data(as_text=True)
    assert "jiujinan_outbox_pending 1.0" in text
    lag = next(line for line in text.splitlines()
               if line.startswith("jiujinan_outbox_lag_seconds "))
    assert float(lag.split()[1]) >= 120
    assert 'jiujinan_jobs{status="failed"} 1.0' in text

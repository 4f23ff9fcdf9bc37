"""gunicorn.conf.py picks workers and threads from the cores, the environment overrides it."""
from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def _load(monkeypatch, **env):
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_one_worker_per_usable_core_with_four_threads(monkeypatch):
    settings = _load(monkeypatch)
    assert settings["workers"] == len(os.sched_getaffinity(0))
    assert settings["threads"] == 4


def test_the_environment_overrides_workers_and_threads(monkeypatch):
    settings = _load(monkeypatch, GUNICORN_WORKERS="6", GUNICORN_THREADS="2")
    assert (settings["workers"], settings["threads"]) == (6, 2)


@pytest.mark.parametrize("value", ["0", "many", "-2", "1000"])
def test_a_wrong_worker_count_stops_the_start_with_its_name(monkeypatch, value):
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS"):
        _load(monkeypatch, GUNICORN_WORKERS=value)

"""The baseline for ``bench/web_bench.py``: a bare Flask page of a given size.

It answers ``GET /`` with ``BENCH_PAGE_BYTES`` bytes of HTML and nothing else (no database, no
template, no session), so its figures are the floor that Flask and gunicorn set on this machine
for a page as large as the app's: ``gunicorn -c gunicorn.conf.py bench.web_baseline:app``.
"""

from __future__ import annotations

import os

from flask import Flask, Response

app = Flask(__name__)
_BODY = ("<!doctype html><title>baseline</title><p>"
         + "x" * max(0, int(os.environ.get("BENCH_PAGE_BYTES", "20000")) - 45) + "</p>").encode()


@app.get("/")
def page() -> Response:
    return Response(_BODY, mimetype="text/html")

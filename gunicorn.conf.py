"""Gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (``make run`` passes it, and
gunicorn reads ``./gunicorn.conf.py`` by itself when started in this directory).

The access log lies outside the restricted zone, so its lines carry the path without the query
string (``%(U)s``, never ``%(r)s`` or ``%(q)s``) and no referer: a query string holds what was
typed into the search box, a person's name among them, and a referer repeats the query of the
page before. The app's log filter (webapp/privacy/infrastructure/log_filter.py) also drops query strings from
any line that still prints one: a ``--access-logformat`` given on the command line, the error
log, werkzeug's development server.
"""

import os


def _cores() -> int:
    """CPUs this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _setting(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise SystemExit(f"{name} must be a whole number from 1 to 256, not {raw!r}")
    return int(raw)


# The production shape: one worker process per core (the app is CPU-bound: templates, the
# ORM, the search engine in-process), each with a few threads to overlap database and index
# waits. On the 2-core county server that is 2 workers x 4 threads, as the bench measures.
# GUNICORN_WORKERS / GUNICORN_THREADS override; command-line flags override both (``make run``
# keeps one process with 8 threads for development).
workers = _setting("GUNICORN_WORKERS", _cores())
threads = _setting("GUNICORN_THREADS", 4)

# The combined log format with the request line rebuilt from method, path and protocol.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "-" "%(a)s"'

# Request size limits. gunicorn bounds the request line (8,190 bytes, its maximum) and each
# header field; the app refuses a header value over 8,190 bytes itself (431 problem+json,
# webapp/input_guard.py), so the field limit sits above that. What gunicorn still answers
# before the app: a request line over 8,190 bytes (400), a header field over 16,384 bytes or
# more than 100 fields (431), malformed HTTP (400). The worker class below words those
# answers as application/problem+json instead of gunicorn's HTML page.
limit_request_line = 8190
limit_request_field_size = 16384
limit_request_fields = 100
worker_class = "webapp.gunicorn_worker.ProblemJsonWorker"


def post_worker_init(worker):
    """Load jieba's dictionary and tagger (seconds of CPU) before the worker takes requests,
    so the first officer to open a case story does not wait for it."""
    from webapp.privacy.detection.tagging import warm_up
    warm_up()


def child_exit(server, worker):
    """In prometheus_client's multi-process mode, drop the metrics files of a gone worker."""
    import os
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)

"""Gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (``make run`` passes it, and
gunicorn reads ``./gunicorn.conf.py`` by itself when started in this directory).

The access log lies outside the restricted zone, so its lines carry the path without the query
string (``%(U)s``, never ``%(r)s`` or ``%(q)s``) and no referer: a query string holds what was
typed into the search box, a person's name among them, and a referer repeats the query of the
page before. The app's log filter (webapp/privacy/infrastructure/log_filter.py) also drops query strings from
any line that still prints one: a ``--access-logformat`` given on the command line, the error
log, werkzeug's development server.
"""

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


def child_exit(server, worker):
    """In prometheus_client's multi-process mode, drop the metrics files of a gone worker."""
    import os
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)

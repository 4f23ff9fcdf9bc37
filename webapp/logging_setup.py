"""Keeping personal numbers and query strings out of every log line the application writes.

``install_pii_filter`` puts :class:`~webapp.privacy.infrastructure.log_filter.PiiRedactingFilter` on the
handlers of the root, werkzeug and gunicorn loggers, and wraps the log record factory so that
records reach handlers added later (a gunicorn config, a test's capture handler) already
redacted. So the request lines of werkzeug's server and gunicorn's access log keep the path and
lose the query string (``/search?q=…`` is what someone typed into search). It also keeps
SQLAlchemy's statement logging (which would print bound parameters, case descriptions among
them) at WARNING whatever the root level is.
"""
from __future__ import annotations

import logging

from flask import Flask

from webapp.privacy.infrastructure.log_filter import PiiRedactingFilter

SERVER_LOGGERS = ("werkzeug", "gunicorn.error", "gunicorn.access")
QUIET_LOGGERS = ("sqlalchemy",)
_FILTER = PiiRedactingFilter()


def _redacting_factory(previous):
    def make(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record
    make.redacts_pii = True
    return make


def install_pii_filter(app: Flask) -> None:
    """Redact personal numbers in every record the process logs (idempotent)."""
    loggers = [logging.getLogger(), app.logger, *map(logging.getLogger, SERVER_LOGGERS)]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, PiiRedactingFilter) for f in handler.filters):
                handler.addFilter(PiiRedactingFilter())
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts_pii", False):
        logging.setLogRecordFactory(_redacting_factory(factory))
    for name in QUIET_LOGGERS:
        if not app.config.get("SQLALCHEMY_ECHO"):
            logging.getLogger(name).setLevel(logging.WARNING)

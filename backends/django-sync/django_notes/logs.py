"""Logging on stderr, one line per record, and no per-request lines.

4xx answers are not logged; 5xx are, and a 503 once, with its cause (by `database.api_error`),
not again by Django. Messages that span lines (libpq's) are joined; tracebacks stay as they are.
psycopg_pool logs every connection it hands out at INFO, so it is kept at WARNING.
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    """Joins the lines of a message (not of its traceback) with spaces."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = " ".join(record.message.split())
        return super().formatMessage(record)


def setup_master() -> None:
    """The master process: our own lines at INFO, everything else from WARNING."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter(FORMAT))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    logging.getLogger("django_notes").setLevel(logging.INFO)


def django_logging() -> dict:
    """Django's `LOGGING` for the worker processes."""
    line = {"()": OneLineFormatter, "format": FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "not_503": {
                "()": "django.utils.log.CallbackFilter",
                "callback": lambda record: getattr(record, "status_code", None) != 503,
            },
        },
        "formatters": {"line": line},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "line"},
            "stderr_not_503": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "filters": ["not_503"],
            },
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "django_notes": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            # Replaces Django's default (console only with DEBUG, e-mail to ADMINS without).
            "django": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            # Django logs every 4xx at WARNING: that would be per-request logging.
            "django.request": {
                "handlers": ["stderr_not_503"],
                "level": "ERROR",
                "propagate": False,
            },
            "psycopg": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        },
    }

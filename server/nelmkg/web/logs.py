"""Structured logs: one JSON object per line on stderr, tagged with the request being served.

``nelmkg serve`` applies :func:`config` once in gunicorn's master before the app is built (so
start-up lines are JSON too) and hands the same dictionary to gunicorn (``logconfig_dict``), so
gunicorn's own lines ("Booting worker", "Worker exiting") are JSON as well; workers and their
evaluator processes inherit it by ``fork``. Every line has ``time`` (UTC, ISO 8601), ``level``,
``logger``, ``pid`` and ``message``; a line written while a request is served also has its
``request_id`` (:class:`RequestIdFilter`, the id :mod:`nelmkg.web.hooks` gives each request and
returns in ``X-Request-Id``), and the access log's lines carry their fields (``method``,
``path``, ``route``, ``status``, ``bytes``, ``ms``, ``in_bytes``) as members. With
``NELMKG_LOG_FORMAT=text`` the same records are plain lines.

What a client sends is never logged: the access log writes the path without its query string
and sizes, never a query or a body (cases are patient data; ``tests/web/test_logs_live.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import g, has_request_context

JSON_FIELDS = ("levelname", "name", "process", "message")
RENAMED = {"levelname": "level", "name": "logger", "process": "pid"}
TEXT_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s %(message)s [%(request_id)s]"


class RequestIdFilter(logging.Filter):
    """Add the id of the request being served (if any) to every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            request_id = g.get("request_id")
            if request_id is not None:
                record.request_id = request_id
        return True


def _formatter(form: str) -> dict[str, Any]:
    if form == "json":
        return {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": list(JSON_FIELDS),
            "rename_fields": RENAMED,
            "timestamp": "time",
        }
    return {"()": logging.Formatter, "fmt": TEXT_FORMAT, "defaults": {"request_id": "-"}}


def config(form: str = "json", level: str = "info") -> dict[str, Any]:
    """Return the :func:`logging.config.dictConfig` of the service (``form``: json or text).

    One handler on the root logger writes to stderr; gunicorn's loggers hand their records to
    it (``propagate``) instead of keeping their own handlers.
    """
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"main": _formatter(form)},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "main",
                "filters": ["request_id"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            # gunicorn's access log stays off: the app logs requests itself (nelmkg.access)
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }

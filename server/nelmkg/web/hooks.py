"""Per-request hooks: request id, metrics, CORS headers and the access log; and no patient
data in other logs.

Every request gets an id: the client's ``X-Request-Id`` when it is sane (1 to 128 characters
of letters, digits and ``. _ : + / = -``, starting with a letter or digit), else a fresh UUID.
It is returned in the response's ``X-Request-Id`` and written on every log line of the request
(:mod:`nelmkg.web.logs`), so a client can quote it and an operator find the lines.

Every answered request is counted for ``/metrics`` (:mod:`nelmkg.web.metrics`): by route (the
URL rule, e.g. ``/queries/<name>``, so the label set stays bounded), method and status, and its
time in a histogram by route.

CORS is off by default; with ``NELMKG_CORS='*'`` every response allows any origin, without
credentials, and a preflight (``OPTIONS``) allows GET and POST with ``Accept``,
``Content-Type`` and ``X-Request-Id`` (a posted ``application/sparql-query`` needs a preflight).

The access log (logger ``nelmkg.access``) writes one line per request: method, path *without*
its query string, status, response bytes, milliseconds and the size of what the client sent
(``in=`` query-string plus body bytes), with the same as structured fields. Query text,
parameters and bodies are never logged, so nothing a client sends (a query, or a patient case
posted to ``/assess``) reaches the log.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from nelmkg.web.metrics import UNMATCHED
from nelmkg.web.service import current

access_log = logging.getLogger("nelmkg.access")
# Set on a SPARQL answer cut at the row cap; exposed to cross-origin pages when CORS is on.
TRUNCATED_HEADER = "Nelmkg-Truncated"
REQUEST_ID_HEADER = "X-Request-Id"
# A client's request id is kept only when it cannot smuggle anything into a log or a header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}")


class DropLiteralWarnings(logging.Filter):
    """Drop rdflib's 'Failed to convert Literal lexical form' records.

    rdflib logs them (with the offending lexical form in the traceback) whenever a posted case
    holds an ill-typed literal: that is patient data, and the SHACL report already names it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


def quiet_rdflib_literals() -> None:
    """Install :class:`DropLiteralWarnings` on rdflib's term logger (once)."""
    logger = logging.getLogger("rdflib.term")
    if not any(isinstance(f, DropLiteralWarnings) for f in logger.filters):
        logger.addFilter(DropLiteralWarnings())


def request_id(sent: str | None) -> str:
    """Return the client's request id when it is sane, else a new one (a UUID, 32 hex digits)."""
    if sent and SANE_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def _cors(response: Response) -> None:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = f"{TRUNCATED_HEADER}, {REQUEST_ID_HEADER}"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            f"Accept, Content-Type, {REQUEST_ID_HEADER}"
        )
        response.headers["Access-Control-Max-Age"] = "600"


def register(app: Flask) -> None:
    """Install the hooks on ``app`` according to its config."""
    quiet_rdflib_literals()

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER))

    @app.after_request
    def _finish(response: Response) -> Response:
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        rid = g.get("request_id") or request_id(None)
        response.headers[REQUEST_ID_HEADER] = rid
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        current().metrics.request(route, request.method, response.status_code, seconds)
        if app.config["CORS"] == "*":
            _cors(response)
        if app.config["ACCESS_LOG"]:
            size = response.calculate_content_length() or 0
            sent = len(request.environ.get("QUERY_STRING", "")) + (request.content_length or 0)
            access_log.info(
                "%s %s %s %s %.1fms in=%d",
                request.method,
                request.path,
                response.status_code,
                size,
                seconds * 1000,
                sent,
                extra={
                    "request_id": rid,
                    "method": request.method,
                    "path": request.path,
                    "route": route,
                    "status": response.status_code,
                    "bytes": size,
                    "ms": round(seconds * 1000, 1),
                    "in_bytes": sent,
                },
            )
        return response

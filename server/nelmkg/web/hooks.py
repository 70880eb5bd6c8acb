"""Per-request hooks: CORS headers and the access log; and no patient data in other logs.

CORS is off by default; with ``NELMKG_CORS='*'`` every response allows any origin, without
credentials, and a preflight (``OPTIONS``) allows GET and POST with ``Accept`` and
``Content-Type`` (a posted ``application/sparql-query`` needs a preflight).

The access log (logger ``nelmkg.access``) writes one line per request: method, path *without*
its query string, status, response bytes, milliseconds and the size of what the client sent
(``in=`` query-string plus body bytes). Query text, parameters and bodies are never logged,
so nothing a client sends (a query, or a patient case posted to a future route) reaches the
log.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

access_log = logging.getLogger("nelmkg.access")
# Set on a SPARQL answer cut at the row cap; exposed to cross-origin pages when CORS is on.
TRUNCATED_HEADER = "Nelmkg-Truncated"


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


def _cors(response: Response) -> None:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = TRUNCATED_HEADER
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"


def register(app: Flask) -> None:
    """Install the hooks on ``app`` according to its config."""
    quiet_rdflib_literals()

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        if app.config["CORS"] == "*":
            _cors(response)
        if app.config["ACCESS_LOG"]:
            took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
            sent = len(request.environ.get("QUERY_STRING", "")) + (request.content_length or 0)
            access_log.info(
                "%s %s %s %s %.1fms in=%d",
                request.method,
                request.path,
                response.status_code,
                response.calculate_content_length() or 0,
                took,
                sent,
            )
        return response

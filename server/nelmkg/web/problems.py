"""The one error shape: RFC 9457 ``application/problem+json``, built by :func:`problem` only.

Every error the service answers with — bad input, refused operations, timeouts, HTTP errors
raised by Flask and Werkzeug (404, 405, 413, ...) and the last-resort 500 — goes through
:func:`problem`, so every error body has ``type``, ``title``, ``status``, ``detail`` and
``instance`` (the request path), plus members saying where the fault is when known
(``line``/``column`` in a query, ``parameter``). Our own problem types are
``https://w3id.org/nelmkg/problem/<slug>`` and are listed in ``docs/service.md``; plain HTTP
errors use ``about:blank``. A stack trace is never sent; unexpected errors are logged.

A browser is told the same thing as a page: a client whose ``Accept`` prefers ``text/html``
(named explicitly, as for every page) gets ``error.html`` inside the one page frame, with the
same status and headers and the problem's title, detail and type; every other client gets
problem+json.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from nelmkg.graph.remote import StoreError, StoreRefused
from nelmkg.web import conneg

PROBLEM_BASE = "https://w3id.org/nelmkg/problem/"
MEDIA_TYPE = "application/problem+json"
STORE_RETRY_AFTER = 5  # seconds: a store that is down is usually back (or replaced) soon

# Our problem types (slug -> title), the one table; docs/service.md lists them all (a test checks).
PROBLEM_TYPES: dict[str, str] = {
    "bad-graph-iri": "Graph name is not an IRI",
    "bad-parameter": "Bad parameter value",
    "bad-parameters": "Unreadable parameters",
    "bad-case-value": "Bad case value",
    "batch-too-large": "Too many cases",
    "body-too-large": "Request body too large",
    "case-capacity": "Case evaluators busy",
    "case-stopped": "Case check stopped",
    "case-syntax": "Case does not parse",
    "case-timeout": "Case time limit reached",
    "case-too-complex": "Case too complex",
    "conflicting-format": "Format parameters disagree",
    "dtd-not-allowed": "DTD refused",
    "evaluator-down": "Query evaluator not answering",
    "fhir-data-problem": "FHIR Bundle data problem",
    "fhir-invalid-bundle": "Invalid FHIR Bundle",
    "fhir-too-large": "FHIR Bundle too large",
    "missing-parameter": "Required parameter missing",
    "missing-query": "No query",
    "not-a-case": "Not a case",
    "not-acceptable": "No acceptable result format",
    "not-ready": "Not ready",
    "coverage-unavailable": "Coverage unavailable without the review text",
    "not-utf8": "Text is not UTF-8",
    "query-capacity": "Query capacity full",
    "query-evaluation": "Query evaluation failed",
    "query-stopped": "Query stopped",
    "query-syntax": "Query syntax error",
    "query-timeout": "Query time limit reached",
    "query-too-complex": "Query too complex",
    "remote-context": "Remote JSON-LD context refused",
    "repeated-parameter": "Parameter repeated",
    "service-not-allowed": "SERVICE not allowed",
    "store-refused": "Triple store refused the request",
    "store-unavailable": "Triple store unavailable",
    "too-many-queries": "Too many queries from this client",
    "undeclared-prefix": "Undeclared prefix",
    "unknown-case-key": "Unknown case key",
    "unknown-format": "Unknown format",
    "unknown-parameter": "Unknown parameter",
    "unknown-query": "No such named query",
    "unsupported-charset": "Unsupported charset",
    "unsupported-media-type": "Unsupported media type",
    "update-not-allowed": "Updates not allowed",
}
log = logging.getLogger("nelmkg.web")
# How an error is answered: problem+json by default, a page only for a client naming text/html.
ERROR_FORMATS: tuple[conneg.Format, ...] = (
    conneg.Format("problem", MEDIA_TYPE, ("application/json",)),
    conneg.Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)


class Problem(Exception):
    """An error to answer with: raise it anywhere in a request; the app turns it into JSON."""

    def __init__(
        self,
        status: int,
        slug: str | None,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **members: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.title = title
        self.headers = headers or {}
        self.members = {k: v for k, v in members.items() if v is not None}


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> Response:
    """Return an ``application/problem+json`` response (the only place one is built)."""
    if slug is not None and slug not in PROBLEM_TYPES:
        raise KeyError(f"undocumented problem type {slug!r}")
    body = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title or (PROBLEM_TYPES[slug] if slug else HTTPStatus(status).phrase),
        "status": status,
        "detail": detail,
        "instance": request.path if request else None,
        **members,
    }
    response = _page(body) if _wants_page() else None
    if response is None:
        response = Response(
            json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE
        )
    response.vary.add("Accept")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _wants_page() -> bool:
    """True when the client's ``Accept`` prefers an HTML page to problem+json."""
    if not request:
        return False
    chosen = conneg.choose(request.headers.get("Accept"), None, ERROR_FORMATS)
    return chosen is not None and chosen.key == "html"


def _page(body: dict[str, Any]) -> Response | None:
    """Return the problem as a page in the site's frame (None if the page cannot be made)."""
    try:
        html = render_template("error.html", problem=body)
    except Exception:  # an error page must never fail: the client then gets the JSON
        log.exception("the error page for %s could not be rendered", request.path)
        return None
    return Response(html, status=body["status"], content_type=ERROR_FORMATS[1].content_type)
def body_bytes(
    status: int, detail: str, instance: str | None, slug: str | None = None, **members: Any
) -> bytes:
    """Return a problem body outside any request (the server front's own errors)."""
    body = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": PROBLEM_TYPES[slug] if slug else HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        **members,
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _from_problem(exc: Problem) -> Response:
    return problem(
        exc.status, exc.detail, slug=exc.slug, title=exc.title, headers=exc.headers, **exc.members
    )


def _from_http(exc: HTTPException) -> Response:
    # Keep headers Werkzeug computed (Allow on 405, Retry-After, ...), drop its HTML body.
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    status = exc.code or 500
    detail = exc.description or HTTPStatus(status).description
    if status == 413:
        limit = request.max_content_length if request else None
        return problem(
            413,
            f"The request body is larger than this service accepts ({limit} bytes).",
            slug="body-too-large",
            headers=headers,
            limit=limit,
        )
    return problem(status, detail, headers=headers)


def _from_store(exc: StoreError) -> Response:
    # A page or start-up read from the external store failed: say so, never name the store.
    log.warning("store: %s", exc)
    if isinstance(exc, StoreRefused):
        detail = f"The triple store refused the request: {exc.reason}"
        return problem(502, detail, slug="store-refused")
    return problem(
        503,
        f"The triple store is not answering: {exc.reason}",
        slug="store-unavailable",
        headers={"Retry-After": str(STORE_RETRY_AFTER)},
    )


def _unexpected(exc: Exception) -> Response:
    # Last resort: log everything, tell the client nothing about the internals.
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "The service failed to answer this request; the error has been logged.")


def register(app: Flask) -> None:
    """Install the handlers that turn every error into a problem response."""
    app.register_error_handler(Problem, _from_problem)
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(StoreError, _from_store)
    app.register_error_handler(Exception, _unexpected)

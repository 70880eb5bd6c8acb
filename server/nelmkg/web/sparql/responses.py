"""Run a query for a request and turn the answer into a response (shared by /sparql and /queries).

Formats are negotiated before evaluation for both kinds of result (solutions/boolean and
graph); the evaluator uses the one that fits the query form. The limits are applied here:
the time limit (503 ``query-timeout`` and a fresh evaluator), the row cap
(``Nelmkg-Truncated: true``), a crash of the evaluator on a query that exhausts its stack
or memory (400 ``query-too-complex``), an evaluator killed from outside, e.g. by the OOM killer,
or a client that left (503 ``query-stopped``), and the query lane (:mod:`nelmkg.web.lanes`):
503 ``query-capacity`` when every query slot of the worker is taken, 429 ``too-many-queries``
when this client holds its share, both with ``Retry-After``.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from flask import Response, current_app, render_template, request

from nelmkg.query.evaluator import (
    ClientGone,
    EvaluationTimeout,
    EvaluatorCrashed,
    EvaluatorError,
    EvaluatorKilled,
)
from nelmkg.query.jobs import Answer, Job, QueryFailure
from nelmkg.web import conneg
from nelmkg.web.hooks import TRUNCATED_HEADER
from nelmkg.web.lanes import Busy, PoolTimeout
from nelmkg.web.problems import Problem
from nelmkg.web.service import current

log = logging.getLogger("nelmkg.web")


def formats(params: dict[str, list[str]]) -> tuple[conneg.Format | None, conneg.Format | None]:
    """Return the (solutions, graph) formats the request accepts; raise 400 or 406.

    For each kind of result, the format parameters (``format``, ``output``, ``results``) win
    when they name a format of that kind; otherwise ``Accept`` decides, so a client that
    names a graph format for a SELECT (SPARQLWrapper does) still gets its table.
    """
    try:
        named = {
            kind: conneg.from_params(params, table)
            for kind, table in (("table", conneg.RESULT_FORMATS), ("graph", conneg.GRAPH_FORMATS))
        }
    except conneg.FormatParamError as exc:
        raise Problem(400, exc.slug, exc.detail, parameter=exc.parameter) from exc
    accept = request.headers.get("Accept")
    table = named["table"] or conneg.negotiate(accept, conneg.RESULT_FORMATS)
    graph = named["graph"] or conneg.negotiate(accept, conneg.GRAPH_FORMATS)
    if table is None and graph is None:
        raise Problem(
            406,
            "not-acceptable",
            f"Nothing acceptable to '{accept}'. Results are "
            "available as "
            + ", ".join(f.media_type for f in conneg.RESULT_FORMATS)
            + "; graphs as "
            + ", ".join(f.media_type for f in conneg.GRAPH_FORMATS)
            + ".",
        )
    return table, graph


def run(query: str, params: dict[str, list[str]], **job: Any) -> Response:
    """Evaluate ``query`` under the app's limits; return the negotiated response."""
    table, graph = formats(params)
    config = current_app.config
    spec = Job(
        query=query,
        result_format=table.key if table else None,
        graph_format=graph.key if graph else None,
        max_rows=config["MAX_ROWS"],
        base_iri=request.base_url,
        **job,
    )
    timeout = config["QUERY_TIMEOUT"]
    gone = request.environ.get("waitress.client_disconnected")  # waitress: client left?
    try:
        answer = current().run(spec, timeout, request.remote_addr, gone)
    except (QueryFailure, EvaluatorError, Busy) as exc:
        raise as_problem(exc, timeout) from exc
    chosen = table if answer.form in ("solutions", "boolean") else graph
    return respond(answer, chosen)


def as_problem(exc: QueryFailure | EvaluatorError | Busy, timeout: float) -> Problem:
    """Return the problem answering a query that got no answer: the one error conversion."""
    retry = {"Retry-After": str(max(1, math.ceil(timeout)))}
    if isinstance(exc, QueryFailure):
        headers = retry if exc.slug == "store-unavailable" else None
        return Problem(exc.status, exc.slug, exc.detail, headers=headers, **exc.members)
    if isinstance(exc, Busy) and exc.per_client:
        return Problem(
            429,
            "too-many-queries",
            "This client already has as many queries running as it may; wait for one to finish.",
            headers=retry,
        )
    if isinstance(exc, Busy | PoolTimeout):  # the lane is full, or no evaluator came free
        return Problem(
            503,
            "query-capacity",
            "Every query slot of this worker is taken; try again later.",
            headers=retry,
        )
    if isinstance(exc, EvaluatorKilled | ClientGone):
        return Problem(
            503,
            "query-stopped",
            "The query was stopped: its evaluator process was killed from outside (e.g. the "
            "machine ran out of memory) or the client left. It has been restarted; try again.",
        )
    if isinstance(exc, EvaluationTimeout):
        return Problem(
            503,
            "query-timeout",
            f"The query ran for more than {timeout:g} s and was "
            "stopped. Narrow it (LIMIT, more specific patterns) and try again.",
            limit_seconds=timeout,
        )
    if isinstance(exc, EvaluatorCrashed):
        return Problem(
            400,
            "query-too-complex",
            "The evaluator stopped while running this query "
            "(stack or memory exhausted, e.g. by very deep nesting); it has been "
            "restarted. Simplify the query.",
        )
    log.error("evaluator error: %s", exc)
    return Problem(500, None, "The service failed to answer this query; the error has been logged.")


def respond(answer: Answer, fmt: conneg.Format) -> Response:
    """Build the HTTP response for an answer in format ``fmt``."""
    if answer.format == "html":
        names, rows = answer.table
        body = render_template(
            "results.html",
            names=names,
            rows=rows,
            form=answer.form,
            truncated=answer.truncated,
            limit=current_app.config["MAX_ROWS"],
        )
        response = Response(body, content_type=fmt.content_type)
    else:
        response = Response(answer.body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"  # set outright: the HeaderSet of .vary costs more
    if answer.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
    return response

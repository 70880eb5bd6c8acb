"""``/sparql``: the SPARQL 1.1 Protocol query operation, and the service description.

GET with ``query``, POST as a form or as ``application/sparql-query`` (see
:mod:`nelmkg.web.sparql.protocol` for every rule); GET without a query returns the service
description (Turtle unless negotiated otherwise; an HTML page with a query form when
``text/html`` is asked for). Other methods get 405 with ``Allow``. ``/sparql/`` is the same
endpoint (the W3C protocol tests use that path).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from nelmkg.web import conneg
from nelmkg.web.problems import Problem
from nelmkg.web.service import current
from nelmkg.web.sparql import description, protocol, responses, void

bp = Blueprint("sparql", __name__)


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"], endpoint="endpoint_slash")
def endpoint() -> Response:
    """Answer a query, or describe the service when there is none."""
    req = protocol.read(request)
    if req.query is None:
        if request.method == "POST":
            raise Problem(
                400,
                "missing-query",
                "No query was given: send it as the 'query' "
                "parameter or as an application/sparql-query body.",
                parameter="query",
            )
        return service_description(req.params)
    if not req.query.strip():
        raise Problem(400, "missing-query", "The query is empty.", parameter="query")
    return responses.run(
        req.query, req.params, default_graphs=req.default_graphs, named_graphs=req.named_graphs
    )


def _description(endpoint: str, key: str, limits: tuple) -> bytes:
    """Return the serialised description, cached on the service (host names vary little)."""
    cache = current().descriptions
    if (endpoint, key, limits) not in cache:
        if len(cache) >= 64:
            cache.clear()
        service = current()
        counts = service.built("partitions", lambda: void.partitions(service.store))
        graph = description.describe(
            endpoint,
            service.info,
            *limits,
            counts=counts,
            examples=list(service.named.values()),
            base=request.host_url.rstrip("/"),
        )
        cache[endpoint, key, limits] = description.serialize(graph, key)
    return cache[endpoint, key, limits]


def service_description(params: dict[str, list[str]]) -> Response:
    """Return the SPARQL 1.1 Service Description of this endpoint, negotiated."""
    try:
        named = conneg.from_params(params, conneg.GRAPH_FORMATS)
    except conneg.FormatParamError as exc:
        raise Problem(400, exc.slug, exc.detail, parameter=exc.parameter) from exc
    fmt = named or conneg.negotiate(request.headers.get("Accept"), conneg.GRAPH_FORMATS)
    if fmt is None:
        names = ", ".join(f.media_type for f in conneg.GRAPH_FORMATS)
        raise Problem(406, "not-acceptable", f"The service description is available as {names}.")
    config = current_app.config
    limits = (config["QUERY_TIMEOUT"], config["MAX_ROWS"], config["MAX_CONTENT_LENGTH"])
    if fmt.key == "html":
        service = current()
        body = render_template(
            "sparql.html",
            endpoint=request.base_url,
            info=service.info,
            limits=limits,
            named=service.named,
        )
    else:
        body = _description(request.base_url, fmt.key, limits)
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response

"""``/queries``: the named queries of ``queries/evidence/``, listed and run by name.

``GET /queries`` lists each query's name, summary, form, parameters and examples (JSON, or
HTML when asked for). ``GET /queries/<name>?param=value`` runs one. Values are read by
:func:`nelmkg.graph.params.parse_param` (the same rules as the ``#+ example:`` lines the tests run:
``<iri>``, ``http(s)://...``, ``urn:...`` and ``prefix:local`` with a project prefix are IRIs,
digits are ``xsd:integer``, anything else a plain string) and bound to the query's variables
as a ``VALUES`` block of terms written by Oxigraph (see :mod:`nelmkg.query.bound`: values are
checked terms, never query syntax). A parameter the query does not declare (``#+ params:``),
a repeated one, an empty value or a missing required one is a 400; a missing optional one
(``[name]`` in the header) leaves its variable unbound. Results are negotiated
exactly like ``/sparql``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from nelmkg.graph.params import ParamError, parse_param
from nelmkg.graph.queries import NamedQuery
from nelmkg.query.bound import bind, to_oxigraph
from nelmkg.web import conneg
from nelmkg.web.problems import Problem
from nelmkg.web.service import RESERVED_PARAMS, current
from nelmkg.web.sparql import protocol, responses

bp = Blueprint("named", __name__)
FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


def example_url(query: NamedQuery, example: str) -> str | None:
    """Return the URL running an example line (``a=v&b=w``), or None if it binds nothing."""
    pairs = parse_qsl(example.strip(), keep_blank_values=True) if "=" in example else []
    if not pairs and query.params:
        return None
    base = url_for("named.run", name=query.name)
    return f"{base}?{urlencode(pairs)}" if pairs else base


def describe(query: NamedQuery) -> dict:
    """Return the listing entry of one named query."""
    examples = [{"text": e, "url": example_url(query, e)} for e in query.examples]
    return {
        "name": query.name,
        "summary": query.summary,
        "form": FORMS.get(query.form),
        "params": list(query.params),
        "required": list(query.required),
        "examples": examples,
        "url": url_for("named.run", name=query.name),
    }


@bp.get("/queries")
def index() -> Response:
    """List the named queries."""
    choice = protocol.QueryRequest(None, params=protocol.url_params(request)).one("format")
    fmt = conneg.choose(request.headers.get("Accept"), choice, conneg.JSON_FORMATS)
    if fmt is None:
        raise Problem(
            406, "not-acceptable", "The list is available as application/json or text/html."
        )
    entries = [describe(q) for q in current().named.values()]
    if fmt.key == "html":
        response = Response(
            render_template("queries.html", queries=entries), content_type=fmt.content_type
        )
    else:
        response = jsonify({"queries": entries})
    response.vary.add("Accept")
    return response


@bp.get("/queries/<name>")
def run(name: str) -> Response:
    """Run the named query ``name`` with the parameters of the query string."""
    query = current().named.get(name)
    if query is None:
        raise Problem(404, "unknown-query", f"There is no named query '{name}'; see /queries.")
    params = protocol.url_params(request)
    unknown = sorted(set(params) - set(query.params) - RESERVED_PARAMS)
    if unknown:
        allowed = ", ".join(query.params) or "none"
        raise Problem(
            400,
            "unknown-parameter",
            f"Unknown parameter(s) {', '.join(unknown)}; this query takes: {allowed}.",
            parameter=unknown[0],
        )
    req = protocol.QueryRequest(query=query.text, params=params)
    missing = [p for p in query.required if req.one(p) is None]
    if missing:
        example = query.examples[0] if query.examples else ""
        raise Problem(
            400,
            "missing-parameter",
            f"The query '{name}' needs the parameter(s) {', '.join(missing)}"
            + (f", e.g. /queries/{name}?{example}" if "=" in example else "")
            + ".",
            parameter=missing[0],
        )
    bound = []
    for param in query.params:
        value = req.one(param)
        if value is None:
            continue
        try:
            term = parse_param(value)
            to_oxigraph(term)  # an IRI Oxigraph (and so the store) rejects is rejected here
            bound.append((param, term))
        except (ParamError, ValueError) as exc:
            raise Problem(
                400, "bad-parameter", f"Parameter '{param}': {exc}.", parameter=param
            ) from exc
    text = bind(query.text, query.values_at, bound) if bound else query.text
    return responses.run(text, params, checked=True, union=not query.dataset_clause)

"""Read a SPARQL 1.1 Protocol query request (GET, form POST, direct POST) into one shape.

Parameters are parsed here rather than by Werkzeug, which would silently replace bytes that
are not UTF-8 and keep only one value of a repeated parameter. Rules (each answered with
problem+json, see :mod:`nelmkg.web.problems`):

- GET (and HEAD): parameters from the URL's query string.
- POST ``application/x-www-form-urlencoded``: parameters from the body *and* the URL.
- POST ``application/sparql-query``: the body is the query; other parameters from the URL.
- POST ``application/sparql-update``, or an ``update`` parameter anywhere: 403, read-only.
- Any other or a missing Content-Type on POST: 415; a charset other than UTF-8: 415.
- A value (or body) that is not UTF-8, or malformed percent-encoding: 400.
- More than one ``query`` (counting the direct-POST body): 400.
- ``default-graph-uri`` / ``named-graph-uri`` must be absolute IRIs: 400 otherwise.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from flask import Request

from nelmkg.web.problems import Problem

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
ACCEPT_POST = f"{FORM}, {DIRECT}"
MAX_FIELDS = 1000


@dataclass(frozen=True)
class QueryRequest:
    """A protocol request: the query (None when absent) and its parameters."""

    query: str | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    params: dict[str, list[str]] = field(default_factory=dict)

    def one(self, name: str) -> str | None:
        """Return the single value of parameter ``name`` (400 if repeated, None if absent)."""
        values = self.params.get(name, [])
        if len(values) > 1:
            raise Problem(
                400,
                "repeated-parameter",
                f"The parameter '{name}' is given {len(values)} times; give it once.",
                parameter=name,
            )
        return values[0] if values else None


def unquote(raw: bytes) -> bytes:
    """Percent-decode url-encoded ``raw`` (``+`` is a space), as ``unquote_to_bytes`` does.

    A long GET query has hundreds of escapes and ``unquote_to_bytes`` walks them in Python;
    turning ``%XX`` into ``\\xXX`` and letting the C escape decoder do the work is ~13x
    faster. A malformed escape (``%ZZ``) makes it fail; then the slow path keeps it as is.
    """
    raw = raw.replace(b"+", b" ")
    try:
        return codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
    except ValueError:
        return unquote_to_bytes(raw)


def parse_params(raw: bytes, where: str) -> dict[str, list[str]]:
    """Parse url-encoded ``raw`` bytes; every name and value must be UTF-8 (else 400)."""
    fields = [f for f in raw.split(b"&") if f]
    if len(fields) > MAX_FIELDS:
        raise Problem(
            400,
            "bad-parameters",
            f"The {where} has {len(fields)} parameters; at most {MAX_FIELDS} are read.",
        )
    params: dict[str, list[str]] = {}
    for field_ in fields:
        name, _, value = field_.partition(b"=")
        try:
            key = unquote(name).decode("utf-8")
            text = unquote(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = unquote(name).decode("utf-8", "replace")
            raise Problem(
                400,
                "not-utf8",
                f"The parameter '{shown}' in the {where} is not UTF-8 (byte {exc.start}).",
                parameter=shown,
            ) from exc
        params.setdefault(key, []).append(text)
    return params


def url_params(req: Request) -> dict[str, list[str]]:
    """Return the parameters of the request URL's query string (strict UTF-8)."""
    return parse_params(req.environ.get("QUERY_STRING", "").encode("latin-1"), "URL")


def _check_charset(req: Request) -> None:
    charset = req.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise Problem(
            415,
            "unsupported-charset",
            f"The request body must be UTF-8, not {charset}.",
            headers={"Accept-Post": ACCEPT_POST},
        )


def _graphs(params: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    values = params.get(name)
    if values is None:
        return None
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise Problem(
                400, "bad-graph-iri", f"'{value}' is not an absolute IRI ({exc}).", parameter=name
            ) from exc
    return tuple(values)


def _refuse_update() -> Problem:
    return Problem(
        403,
        "update-not-allowed",
        "This service is read-only: SPARQL Update "
        "operations (INSERT, DELETE, LOAD, CLEAR, ...) are refused.",
    )


def read(req: Request) -> QueryRequest:
    """Return the query request carried by ``req`` or raise :class:`Problem`."""
    params = url_params(req)
    body_query: str | None = None
    if "update" in params:  # before any check of the body: an update is refused as such
        raise _refuse_update()
    if req.method == "POST":
        kind = req.mimetype
        if kind == UPDATE:
            raise _refuse_update()
        if kind not in (FORM, DIRECT):
            shown = f"'{kind}'" if kind else "missing"
            raise Problem(
                415,
                "unsupported-media-type",
                f"The Content-Type is {shown}; a query is posted as {FORM} or {DIRECT}.",
                headers={"Accept-Post": ACCEPT_POST},
            )
        _check_charset(req)
        data = req.get_data(cache=False)
        if kind == FORM:
            for name, values in parse_params(data, "body").items():
                params.setdefault(name, []).extend(values)
        else:
            try:
                body_query = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Problem(
                    400, "not-utf8", f"The query is not UTF-8 (byte {exc.start})."
                ) from exc
    if "update" in params:
        raise _refuse_update()
    queries = params.get("query", []) + ([body_query] if body_query is not None else [])
    if len(queries) > 1:
        raise Problem(
            400,
            "repeated-parameter",
            f"{len(queries)} queries were given; send exactly one.",
            parameter="query",
        )
    return QueryRequest(
        query=queries[0] if queries else None,
        default_graphs=_graphs(params, "default-graph-uri"),
        named_graphs=_graphs(params, "named-graph-uri"),
        params=params,
    )

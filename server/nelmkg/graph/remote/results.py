"""A store's answer, read back into the objects Oxigraph's own ``Store.query`` returns.

SELECT and ASK results are asked for as SPARQL XML (every SPARQL 1.1 store writes it, and
Virtuoso's TSV is not the standard's) and parsed by :func:`pyoxigraph.parse_query_results`
into :class:`~pyoxigraph.QuerySolutions` / :class:`~pyoxigraph.QueryBoolean`; CONSTRUCT and
DESCRIBE results as N-Triples, parsed into :class:`~pyoxigraph.Triple` objects. Either way the
body is read as a stream (:class:`Body`): a caller that stops early — the row cap — reads no
further, and every read keeps to the request's deadline.

Virtuoso names blank nodes ``nodeID://b10001`` in results, which is no blank node label;
:class:`Body` drops the ``nodeID://`` inside ``<bnode>`` elements, the one place it can
appear as such in XML (a literal's ``<`` is escaped).
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator

import pyoxigraph as ox

from nelmkg.graph.remote.http import StoreUnavailable, abandon

RESULTS_ACCEPT = "application/sparql-results+xml"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.5"
_NODE_ID = (b"<bnode>nodeID://", b"<bnode>")


class Body:
    """A response body as a binary file: read within a deadline, with one byte rewrite."""

    def __init__(self, response: http.client.HTTPResponse, deadline: float) -> None:
        self._response = response
        self._deadline = deadline
        self._held = b""  # bytes kept back: they may start a pattern split across reads
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        """Return up to ``size`` bytes (a chunk); ``b""`` at the end."""
        while not self._done:
            if time.monotonic() > self._deadline:
                raise StoreUnavailable("the store sent its answer too slowly")
            try:
                chunk = self._response.read1(65536 if size is None or size < 0 else max(size, 1))
            except (OSError, http.client.HTTPException) as exc:
                raise StoreUnavailable(f"reading the store's answer: {exc}") from exc
            if not chunk:
                self._done = True
                out, self._held = self._held.replace(*_NODE_ID), b""
                return out
            data = (self._held + chunk).replace(*_NODE_ID)
            keep = len(_NODE_ID[0]) - 1
            out, self._held = data[:-keep], data[-keep:]
            if out:
                return out
        return b""

    def close(self) -> None:
        """Stop reading: close the response (the connection is then not reused)."""
        if not self._done and isinstance(self._response, http.client.HTTPResponse):
            abandon(self._response)
        self._done = True
        self._response.close()


class Solutions:
    """SELECT results read lazily: ``variables``, and an iterator of solutions.

    A body that breaks off or stops parsing half-way raises :class:`StoreUnavailable` while
    iterating (never ``SyntaxError``, which would read as the user's query being wrong).
    """

    def __init__(self, parsed: ox.QuerySolutions, body: Body) -> None:
        self.variables = parsed.variables
        self._parsed = parsed
        self._body = body

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        try:
            yield from self._parsed
        except (SyntaxError, OSError) as exc:
            raise StoreUnavailable(f"the store's results broke off: {exc}") from exc

    def serialize(self, output=None, format=None):  # noqa: A002 (pyoxigraph's names)
        """Write the solutions as ``pyoxigraph.QuerySolutions.serialize`` does (read lazily)."""
        return self._parsed.serialize(output, format=format)

    def close(self) -> None:
        """Stop reading the body (a result cut short)."""
        self._body.close()


def solutions(body: Body) -> Solutions | ox.QueryBoolean:
    """Parse a SPARQL XML results body (lazily: solutions are read as they are taken)."""
    try:
        parsed = ox.parse_query_results(body, ox.QueryResultsFormat.XML)
    except (SyntaxError, OSError) as exc:
        raise StoreUnavailable(f"the store's results do not parse: {exc}") from exc
    if isinstance(parsed, ox.QueryBoolean):
        return parsed
    return Solutions(parsed, body)


def ask_from_rows(rows: Solutions) -> ox.QueryBoolean:
    """Return the boolean of an ASK answered as one row (Virtuoso: ``__ASK_RETVAL`` 1 or none)."""
    first = next(iter(rows), None)
    value = None if first is None else first[0]
    truth = value is not None and value.value.strip().lower() in ("1", "true")
    return ox.parse_query_results(
        '{"head":{},"boolean":%s}' % ("true" if truth else "false"), ox.QueryResultsFormat.JSON
    )


def triples(body: Body) -> Iterator[ox.Triple]:
    """Yield the triples of an N-Triples body (lazily)."""
    try:
        for quad in ox.parse(body, ox.RdfFormat.N_TRIPLES):
            yield quad.triple if isinstance(quad, ox.Quad) else quad
    except (SyntaxError, OSError) as exc:
        raise StoreUnavailable(f"the store's graph does not parse: {exc}") from exc

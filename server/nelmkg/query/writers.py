"""Write SPARQL results with Oxigraph's own serialisers, stopped at the row cap.

Oxigraph writes a whole result stream in Rust (``QuerySolutions.serialize``,
``QueryTriples.serialize``) into a file-like object, in chunks. The service caps the number of
rows, so the chunks go into a :class:`Capped` sink that counts rows as they come by a marker
that can only stand between rows, and stops Oxigraph (by raising :class:`Full` from ``write``)
once a row past the cap has begun; the text is cut where that row begins and closed:

- **TSV** and **N-Triples**: one row per line; both escape line breaks inside terms.
- **XML**: each solution opens with ``<result>``; ``<`` in text is always escaped.
- **JSON**: a solution after the first opens with ``,{"`` and a variable name. Inside a string
  a ``"`` is escaped, and after a string's closing quote comes ``,``, ``}``, ``]`` or ``:``,
  never a name's first character; and Oxigraph writes ``,{`` nowhere else. An *empty*
  solution (``{}``: no variable bound) has no such marker; while ``{}`` appears nowhere the
  count is exact, otherwise the result is written again by way of TSV (:func:`solutions`).
- **CSV** (a field may hold a line break) is made from capped TSV, parsed and written again.
- The grouped graph formats (Turtle, RDF/XML, JSON-LD) cannot be cut by bytes: at most ``cap``
  triples are taken from the result and written by Oxigraph at once (for a Turtle answer of
  2,469 triples 10 ms, against 18 ms for capped N-Triples parsed and written again).

A test compares these counts and cuts with Oxigraph's own results on hostile literals.
ASK answers are a few bytes, written here; CSV/TSV booleans use the column ``_askResult``
(Apache Jena's convention: the CSV/TSV specification defines no boolean form).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pyoxigraph as ox

from nelmkg.query.jobs import take

RESULTS = ox.QueryResultsFormat
SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": RESULTS.JSON,
    "xml": RESULTS.XML,
    "csv": RESULTS.CSV,
    "tsv": RESULTS.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
_JSON_ROW = re.compile(rb',\{"[^,}\]:]')


class Full(Exception):
    """Raised from :meth:`Capped.write`: a row past the cap has begun."""


class Capped:
    """A binary sink for Oxigraph's writer that keeps at most ``cap`` rows.

    ``kind`` is ``lines`` (N-Triples), ``tsv`` (a header line, then one line per row),
    ``xml`` or ``json``. After writing, :meth:`text` is the capped document and
    :attr:`truncated` says whether rows were left out; :attr:`unsure` (JSON only) that an
    empty solution may have made the count unreliable.
    """

    def __init__(self, kind: str, cap: int) -> None:
        self.kind, self.cap = kind, cap
        self.buffer = bytearray()
        self.rows = 0  # row markers seen so far
        self.scanned = 0  # where the next marker search starts
        self.empties = 0  # "{}" seen so far (JSON)
        self.cut: int | None = None
        self.truncated = False
        self.unsure = False

    def write(self, data) -> int:
        """Take one chunk from Oxigraph; raise :class:`Full` once the cap is passed."""
        before = len(self.buffer)
        self.buffer += data
        if self._past_cap(before):
            self.truncated = True
            raise Full
        return len(data)

    def flush(self) -> None:
        """Oxigraph flushes its writer at the end; nothing to do."""

    def _past_cap(self, before: int) -> bool:
        buf, kind = self.buffer, self.kind
        if kind in ("lines", "tsv"):
            if self.cut is None:
                wanted = self.cap + (kind == "tsv")  # line breaks that end kept lines
                found = self._nth(b"\n", wanted - self.rows)
                if found is None:
                    return False
                self.cut = found + 1
            return len(buf) > self.cut  # a byte after the last kept line begins another
        if kind == "xml":
            found = self._nth(b"<result>", self.cap + 1 - self.rows)
            if found is not None:
                self.cut = found
            return found is not None
        # json: markers open the rows after the first; a marker needs its fourth byte
        for match in _JSON_ROW.finditer(buf, self.scanned):
            self.rows += 1
            if self.rows == self.cap:
                self.cut = match.start()
                return True
        self.scanned = max(self.scanned, len(buf) - 3)
        self.empties += buf.count(b"{}", max(before - 1, 0))
        if self.empties:  # an empty solution, or braces inside a string: count not exact
            self.unsure = True
            return self.rows + 1 + self.empties > self.cap
        return False

    def _nth(self, marker: bytes, n: int) -> int | None:
        """Return the offset of the ``n``-th ``marker`` from :attr:`scanned` on (counting)."""
        buf = self.buffer
        while n > 0:
            found = buf.find(marker, self.scanned)
            if found < 0:
                self.scanned = max(self.scanned, len(buf) - len(marker) + 1)
                return None
            self.rows += 1
            n -= 1
            self.scanned = found + len(marker)
            if n == 0:
                return found
        return None

    def text(self) -> bytes:
        """Return what was written, cut after the last kept row and closed."""
        if not self.truncated:
            return bytes(self.buffer)
        body = bytes(self.buffer[: self.cut])
        if self.kind == "xml":
            return body + b"</results></sparql>"
        if self.kind == "json":
            return body + b"]}}"
        return body


def _capped(write: Callable[[Capped], None], kind: str, cap: int) -> Capped:
    sink = Capped(kind, cap)
    try:
        write(sink)
    except Full:
        pass
    except OSError as exc:  # pyoxigraph may wrap the exception raised by write()
        if not sink.truncated:
            raise
        del exc
    return sink


def solutions(run: Callable[[], ox.QuerySolutions], key: str, cap: int) -> tuple[bytes, bool]:
    """Write the solutions of ``run()`` in format ``key``: (text, truncated).

    ``run`` evaluates the query; it is called a second time only when an empty solution made
    the JSON row count unreliable.
    """
    fmt = SOLUTION_FORMATS[key]
    if key in ("json", "xml"):
        sink = _capped(lambda out: run().serialize(out, format=fmt), key, cap)
        if not (sink.unsure and sink.truncated):
            return sink.text(), sink.truncated
    sink = _capped(lambda out: run().serialize(out, format=RESULTS.TSV), "tsv", cap)
    if key == "tsv":
        return sink.text(), sink.truncated
    parsed = ox.parse_query_results(sink.text(), format=RESULTS.TSV)
    return parsed.serialize(format=fmt), sink.truncated


def triples(
    result: ox.QueryTriples, key: str, cap: int, prefixes: dict[str, str]
) -> tuple[bytes, bool]:
    """Write the triples of a CONSTRUCT/DESCRIBE ``result`` in format ``key``."""
    if key == "ntriples":
        write = lambda out: result.serialize(out, format=ox.RdfFormat.N_TRIPLES)  # noqa: E731
        sink = _capped(write, "lines", cap)
        return sink.text(), sink.truncated
    kept, cut = take(result, cap)
    return write_triples(kept, key, prefixes), cut


def write_boolean(value: bool, key: str) -> bytes:
    """Write an ASK result in the format ``key`` (json, xml, csv, tsv)."""
    word = "true" if value else "false"
    if key == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if key == "xml":
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n'
            f"<head/>\n<boolean>{word}</boolean>\n</sparql>\n"
        ).encode()
    if key == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if key == "tsv":
        return f"?_askResult\n{word}\n".encode()
    raise KeyError(key)


def display(term) -> tuple[str, str]:
    """Return ``(kind, text)`` for showing a term in an HTML table (kind: iri, bnode, literal)."""
    if term is None:
        return ("none", "")
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", f"_:{term.value}")
    if isinstance(term, ox.Literal):
        if term.language:
            return ("literal", f"{term.value} @{term.language}")
        return ("literal", term.value)
    return ("literal", str(term))


def write_triples(items, key: str, prefixes: dict[str, str]) -> bytes:
    """Write triples (not capped: the pages' own small graphs) in the RDF format ``key``."""
    fmt = GRAPH_FORMATS[key]
    used = prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(items, format=fmt, prefixes=used) or b""

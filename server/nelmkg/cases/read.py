"""Read a case from JSON, JSON-LD, Turtle, N-Triples, RDF/XML or an rdflib Graph.

Whatever the input, the result is a :class:`Case`: exactly one node ``a nelm:Patient`` with the
flat fact properties and nothing else, held as that node's facts (predicate -> RDF terms) and,
on demand, as an RDF graph. Plain JSON is mapped straight to the facts
(:func:`nelmkg.cases.json_input.to_values`); other input is parsed into a graph first. Parsing never
touches the network or the file system: relative IRIs resolve against the case base
(:data:`nelmkg.cases.context.CASE_BASE`), JSON-LD contexts are local
(:mod:`nelmkg.cases.json_input`),
and RDF/XML with a DOCTYPE is refused before parsing, so no DTD or entity is ever
processed. Numbers, nesting and text are bounded by :mod:`nelmkg.cases.bounds`. Syntax errors become
:class:`~nelmkg.cases.errors.CaseInputError` with line and column where the parser knows them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax import SAXParseException

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import IdentifiedNode

from nelmkg.cases.bounds import check_graph, check_tree, check_xml
from nelmkg.cases.context import CaseContext
from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.json_input import load_json, to_graph, to_values
from nelmkg.cases.model import Case, node_values
from nelmkg.graph.vocab import NELM

# Content type -> how the body is read ("json" covers plain JSON and JSON-LD alike).
FORMATS: dict[str, str] = {
    "application/json": "json",
    "application/ld+json": "json",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
# NDJSON bodies: one JSON case per line (the case API and ``nelmkg assess`` read them).
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson")
# File suffix -> content type of a case file (the CLI, the fixtures and the tests read files).
SUFFIX_TYPES: dict[str, str] = {
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".owl": "application/rdf+xml",
    ".xml": "application/rdf+xml",
}


def media_type(content_type: str | None) -> str:
    """Return the bare, lower-case media type of a Content-Type value (JSON if none)."""
    return (content_type or "application/json").split(";")[0].strip().lower()


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseInputError(f"the input is not UTF-8 (byte {exc.start})", kind="not-utf8") from exc


def _position(data: bytes, index: int) -> tuple[int, int]:
    """Return the 1-based line and column of byte ``index`` in ``data``."""
    head = data[:index]
    start = head.rfind(b"\n") + 1
    return head.count(b"\n") + 1, len(head[start:].decode("utf-8", errors="ignore")) + 1


def _nt_line(text: str, base: str) -> int | None:
    """Return the number of the first N-Triples line that does not parse on its own."""
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            Graph().parse(data=line, format="nt", publicID=base)
        except Exception:  # the first line the parser refuses is the faulty one
            return number
    return None


def parse_rdf(text: str, fmt: str, base: str) -> Graph:
    """Parse RDF text in rdflib format ``fmt``; raise :class:`CaseInputError` with position."""
    graph = Graph(bind_namespaces="none")
    try:
        return graph.parse(data=text, format=fmt, publicID=base)
    except SAXParseException as exc:
        raise CaseInputError(
            f"invalid RDF/XML: {exc.getMessage()}",
            line=exc.getLineNumber(),
            column=exc.getColumnNumber() + 1,
        ) from exc
    except Exception as exc:  # BadSyntax (Turtle), ParserError (N-Triples), ...
        why = getattr(exc, "_why", None) or str(exc)
        index = getattr(exc, "_i", None)
        if isinstance(index, int):
            line, column = _position(text.encode("utf-8"), index)
        else:
            line, column = (_nt_line(text, base) if fmt == "nt" else None), None
        raise CaseInputError(f"invalid {fmt}: {why}", line=line, column=column) from exc


def patient_node(graph: Graph) -> IdentifiedNode:
    """Return the graph's one ``nelm:Patient`` node; refuse any other shape of graph."""
    nodes = set(graph.subjects(RDF.type, NELM.Patient))
    if len(nodes) != 1:
        hint = ' (JSON-LD: add "@type": "Patient")' if not nodes else ""
        raise CaseInputError(
            f"a case is exactly one node of type {NELM.Patient}; found {len(nodes)}{hint}",
            kind="not-a-case",
        )
    node = nodes.pop()
    others = sorted(str(s) for s in set(graph.subjects()) if s != node)
    if others:
        raise CaseInputError(
            f"a case is one flat node; found statements about {others[0]} besides the patient",
            kind="not-a-case",
            value=others[0],
        )
    return node


def _case_id(node: IdentifiedNode, doc: Any, context: CaseContext) -> str | None:
    if isinstance(doc, dict) and isinstance(doc.get(context.id_key), str):
        return doc[context.id_key]
    if isinstance(node, URIRef):
        text = str(node)
        return text[len(context.base) :] if text.startswith(context.base) else text
    return None


def read_case(source: Any, context: CaseContext, content_type: str | None = None) -> Case:
    """Read ``source`` (dict/list, JSON or RDF text/bytes, or a Graph) into a :class:`Case`.

    Text and bytes are read by ``content_type`` (default ``application/json``); see
    :data:`FORMATS`. A dict or list is a JSON document already parsed.
    """
    if isinstance(source, Case):
        return source
    if isinstance(source, Graph):
        return _from_graph(source, None, False, context)
    if isinstance(source, str | bytes):
        fmt = FORMATS.get(media_type(content_type))
        if fmt is None:
            raise CaseInputError(
                f"cannot read content type {content_type!r}; use one of " + ", ".join(FORMATS),
                kind="media-type",
                value=content_type,
            )
        text = _decode(source)
        if fmt == "xml":
            check_xml(text)
        if fmt != "json":
            return _from_graph(parse_rdf(text, fmt, context.base), None, False, context)
        doc = load_json(text)
    elif isinstance(source, dict | list):
        doc = source
    else:
        raise TypeError(f"cannot read a case from {type(source).__name__}")
    check_tree(doc)  # nesting depth (and text) before any recursive processing
    direct = to_values(doc, context)
    if direct is not None:  # plain JSON: no graph until someone asks for it
        node, values = direct
        return Case(node, values, _case_id(node, doc, context), True, doc)
    graph, keyed = to_graph(doc, context)
    return _from_graph(graph, doc, keyed, context)


def _from_graph(graph: Graph, doc: Any, keyed: bool, context: CaseContext) -> Case:
    check_graph(graph, {k.property: k.key for k in context.keys.values()})
    node = patient_node(graph)
    facts = doc if keyed and isinstance(doc, dict) else None
    return Case(node, node_values(graph, node), _case_id(node, doc, context), keyed, facts, graph)


@dataclass(frozen=True)
class Batch:
    """The cases of one body: each read into a :class:`Case`, or refused with its error.

    ``shape`` is how the body held them (``object``, ``array`` or ``ndjson``), so that answers
    can be shaped like the input.
    """

    shape: str
    items: tuple[Case | CaseInputError, ...]


# A reader of another JSON case format tried before the plain-JSON reader (e.g. a FHIR Bundle,
# nelmkg.fhir): it returns None for a document that is not of its format.
Reader = Callable[[Any], Case | None]


def _read_doc(doc: Any, context: CaseContext, readers: Sequence[Reader]) -> Case:
    for reader in readers:
        case = reader(doc)
        if case is not None:
            return case
    return read_case(doc, context)


def _one(doc: Any, context: CaseContext, readers: Sequence[Reader] = ()) -> Case | CaseInputError:
    """Read one case of a batch; a refused case becomes its error (naming its id)."""
    name = doc.get(context.id_key) if isinstance(doc, dict) else None
    try:
        if not isinstance(doc, dict):
            raise CaseInputError("a case is a JSON object", kind="not-a-case")
        return _read_doc(doc, context, readers)
    except CaseInputError as exc:
        exc.case_id = name if isinstance(name, str) else None
        return exc


def _check_size(count: int, limit: int | None) -> None:
    if limit is not None and count > limit:
        raise CaseInputError(
            f"{count} cases in one request; at most {limit} are assessed at a time",
            kind="batch-too-large",
            limit=limit,
        )


def read_batch(
    body: str | bytes,
    content_type: str,
    context: CaseContext,
    limit: int | None = None,
    readers: Sequence[Reader] = (),
) -> Batch:
    """Read a body holding one case, a JSON array of cases or NDJSON (one case per line).

    An RDF or JSON-LD body is one case. Raises :class:`CaseInputError` for the body as a whole:
    text that is not UTF-8 or does not parse (NDJSON: with its line), more than ``limit`` cases,
    a single case that cannot be read; a refused case *inside* an array or NDJSON is kept as
    its error so the others are still answered. ``readers`` read JSON documents of other case
    formats (each returns None for a document that is not its own).
    """
    media = media_type(content_type)
    if media in NDJSON_TYPES:
        lines = [(n, t) for n, t in enumerate(_decode(body).splitlines(), 1) if t.strip()]
        _check_size(len(lines), limit)
        docs = []
        for number, text in lines:
            try:
                docs.append(load_json(text))
            except CaseInputError as exc:
                exc.line = number  # the line of the body, not of the one-line document
                raise
        return Batch("ndjson", tuple(_one(doc, context, readers) for doc in docs))
    if FORMATS.get(media) != "json" or media == "application/ld+json":
        return Batch("object", (read_case(body, context, media),))
    doc = load_json(_decode(body))
    if isinstance(doc, list):
        _check_size(len(doc), limit)
        return Batch("array", tuple(_one(item, context, readers) for item in doc))
    if isinstance(doc, dict):
        return Batch("object", (_read_doc(doc, context, readers),))
    raise CaseInputError("a case is a JSON object or an array", kind="not-a-case")

"""Write SPARQL results: solutions and booleans as JSON, XML, CSV, TSV; triples via Oxigraph.

Oxigraph serialises a whole result stream itself, but the service caps the number of rows,
so it collects at most ``MAX_ROWS`` solutions and writes them here (the formats are small and
exactly specified: SPARQL 1.1 Query Results JSON, XML, CSV and TSV). A test parses what these
functions write and compares it with Oxigraph's own serialisation of the same results.

A solution row is a list of Oxigraph terms (``None`` when unbound) in variable order. ASK
results in CSV/TSV use the single column ``_askResult`` (the convention of Apache Jena), since
the CSV/TSV specification defines no boolean form.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

Row = Sequence[object]  # Oxigraph terms or None


def json_term(term) -> dict:
    """Return the SPARQL JSON form of one term."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        parts = zip(("subject", "predicate", "object"), term, strict=True)
        return {"type": "triple", "value": {k: json_term(v) for k, v in parts}}
    raise TypeError(f"not an RDF term: {term!r}")


def write_json(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Write solutions as SPARQL 1.1 Query Results JSON."""
    bindings = [
        {name: json_term(t) for name, t in zip(names, row, strict=True) if t is not None}
        for row in rows
    ]
    doc = {"head": {"vars": list(names)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            dt = quoteattr(term.datatype.value)
            return f"<literal datatype={dt}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        s, p, o = (_xml_term(t) for t in term)
        return (
            f"<triple><subject>{s}</subject><predicate>{p}</predicate><object>{o}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def write_xml(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Write solutions as SPARQL Query Results XML."""
    out = [f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n<head>']
    out += [f"<variable name={quoteattr(n)}/>" for n in names]
    out.append("</head>\n<results>")
    for row in rows:
        cells = (
            f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
            for n, t in zip(names, row, strict=True)
            if t is not None
        )
        out.append("<result>" + "".join(cells) + "</result>")
    out.append("</results>\n</sparql>\n")
    return "\n".join(out).encode()


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)  # a triple term: its N-Triples form


def write_csv(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Write solutions as SPARQL 1.1 CSV (lexical forms only, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_csv_value(t) for t in row] for row in rows)
    return buffer.getvalue().encode()


def write_tsv(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Write solutions as SPARQL 1.1 TSV (terms in N-Triples syntax)."""
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


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


SOLUTION_WRITERS: dict[str, Callable[[Sequence[str], Sequence[Row]], bytes]] = {
    "json": write_json,
    "xml": write_xml,
    "csv": write_csv,
    "tsv": write_tsv,
}

GRAPH_WRITERS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def write_triples(triples: Sequence[ox.Triple], key: str, prefixes: dict[str, str]) -> bytes:
    """Write triples in the RDF format ``key`` (turtle, ntriples, rdfxml, jsonld)."""
    fmt = GRAPH_WRITERS[key]
    used = prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=fmt, prefixes=used) or b""


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

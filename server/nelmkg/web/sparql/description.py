"""The SPARQL 1.1 Service Description served by ``GET /sparql`` without a query.

It states the endpoint, the language (SPARQL 1.1 Query only: no update), the result formats,
the feature ``sd:UnionDefaultGraph`` (the default graph is the union of the named graphs), the
default dataset with every named graph and its size (``void:triples``), and the limits. The
SD vocabulary has no terms for limits, so three extension properties in the namespace
``https://w3id.org/nelmkg/service#`` (prefix ``nelmsd:``) carry them, and the description
defines them itself: ``nelmsd:queryTimeoutSeconds``, ``nelmsd:maxResultRows`` and
``nelmsd:maxRequestBodyBytes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, XSD

from nelmkg.graph.queries import NamedQuery
from nelmkg.graph.store import StoreInfo
from nelmkg.web.sparql.void import Partitions, add_statistics

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
VOID = Namespace("http://rdfs.org/ns/void#")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
NELMSD = Namespace("https://w3id.org/nelmkg/service#")
SCHEMA = Namespace("https://schema.org/")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")

RESULT_FORMAT_IRIS = (
    FORMATS.SPARQL_Results_JSON,
    FORMATS.SPARQL_Results_XML,
    FORMATS.SPARQL_Results_CSV,
    FORMATS.SPARQL_Results_TSV,
    FORMATS.Turtle,
    FORMATS["N-Triples"],
    FORMATS.RDF_XML,
    FORMATS["JSON-LD"],
)

# (property, range, label, comment): the extension properties, defined in every description.
LIMITS = (
    (
        NELMSD.queryTimeoutSeconds,
        XSD.decimal,
        "query timeout (seconds)",
        "Wall-clock seconds one query may run; a query still running then is stopped and "
        "answered with 503.",
    ),
    (
        NELMSD.maxResultRows,
        XSD.integer,
        "maximum result rows",
        "Most solutions (SELECT) or triples (CONSTRUCT, DESCRIBE) one response holds; a longer "
        "result is cut and the response carries the header Nelmkg-Truncated: true.",
    ),
    (
        NELMSD.maxRequestBodyBytes,
        XSD.integer,
        "maximum request body (bytes)",
        "Largest request body accepted; a larger one is answered with 413.",
    ),
)


def describe(
    endpoint: str,
    info: StoreInfo,
    timeout: float,
    max_rows: int,
    max_body: int,
    counts: Partitions | None = None,
    examples: Sequence[NamedQuery] = (),
    base: str = "",
) -> Graph:
    """Return the service description of the endpoint at URL ``endpoint``.

    ``counts`` adds the default graph's VoID class and property partitions; ``examples`` the
    named queries as example queries: SHACL-AF executables (``sh:SPARQLSelectExecutable`` with
    ``sh:select``, ``sh:ask``, ``sh:construct``; https://www.w3.org/TR/shacl-af/) aimed at the
    endpoint by ``schema:target``, the convention of the SIB SPARQL examples, each at its
    ``/queries/<name>`` URL under ``base``.
    """
    g = Graph()
    for prefix, ns in (
        ("sd", SD),
        ("formats", FORMATS),
        ("void", VOID),
        ("nelmsd", NELMSD),
        ("ent", ENTAILMENT),
        ("dcterms", DCTERMS),
    ):
        g.bind(prefix, ns)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, DCTERMS.title, Literal("nelmkg SPARQL endpoint (read-only)", lang="en")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for fmt in RESULT_FORMAT_IRIS:
        g.add((service, SD.resultFormat, fmt))
    dataset, default = BNode(), BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    if counts is None:
        g.add((default, VOID.triples, Literal(info.default)))
    else:
        g.add((default, RDF.type, VOID.Dataset))
        add_statistics(g, default, counts, info.default)
    for query in examples:
        add_example(g, service, query, base)
    for name, size in info.graphs.items():
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(size)))
    values = (Decimal(str(timeout)), max_rows, max_body)
    for (prop, datatype, label, comment), value in zip(LIMITS, values, strict=True):
        g.add((service, prop, Literal(value, datatype=datatype)))
        g.add((prop, RDF.type, OWL.DatatypeProperty))
        g.add((prop, RDFS.label, Literal(label, lang="en")))
        g.add((prop, RDFS.comment, Literal(comment, lang="en")))
        g.add((prop, RDFS.domain, SD.Service))
        g.add((prop, RDFS.range, datatype))
    return g


EXECUTABLES = {
    "SelectQuery": (SH.SPARQLSelectExecutable, SH.select),
    "AskQuery": (SH.SPARQLAskExecutable, SH.ask),
    "ConstructQuery": (SH.SPARQLConstructExecutable, SH.construct),
    # SHACL-AF has no DESCRIBE term; the SIB SPARQL examples vocabulary adds one.
    "DescribeQuery": (SH.SPARQLExecutable, SPEX.describe),
}


def add_example(g: Graph, service: URIRef, query: NamedQuery, base: str) -> None:
    """State one named query as an example query of ``service``."""
    g.bind("sh", SH)
    g.bind("schema", SCHEMA)
    node = URIRef(f"{base}/queries/{query.name}")
    kind, text_property = EXECUTABLES.get(query.form, (SH.SPARQLExecutable, SH.select))
    g.add((node, RDF.type, SH.SPARQLExecutable))
    g.add((node, RDF.type, kind))
    g.add((node, RDFS.label, Literal(query.name)))
    if query.summary:
        g.add((node, RDFS.comment, Literal(query.summary, lang="en")))
    g.add((node, text_property, Literal(query.text)))
    g.add((node, SCHEMA.target, service))


RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}


def serialize(graph: Graph, key: str) -> bytes:
    """Serialise the description in the format ``key`` of the graph conneg table."""
    return graph.serialize(format=RDFLIB_FORMATS[key], encoding="utf-8")

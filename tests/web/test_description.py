"""The SPARQL 1.1 Service Description at ``GET /sparql`` (no query).

The description must be isomorphic to a hand-written graph (``tests/data/web/
service-description.ttl``) plus the default dataset, whose named graphs and sizes the test
writes from its own rdflib count of the data files (``expected_triples``), in every format.
"""

import re
from decimal import Decimal

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS, SH, Namespace

from nelmkg import paths

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID_TRIPLES = URIRef("http://rdfs.org/ns/void#triples")
NELMSD = "https://w3id.org/nelmkg/service#"
VOID = Namespace("http://rdfs.org/ns/void#")
SCHEMA = Namespace("https://schema.org/")
ENDPOINT = URIRef("http://localhost/sparql")
LIMITS = {"QUERY_TIMEOUT": 2.5, "MAX_ROWS": 77, "MAX_CONTENT_LENGTH": 1234}


def sd(name: str) -> URIRef:
    return URIRef(SD + name)


def add_void(graph: Graph, default: BNode, partitions: tuple[dict, dict]) -> None:
    """The default graph's VoID statistics (VoID section 4.5: class and property partitions)."""
    classes, properties = partitions
    graph.add((default, RDF.type, VOID.Dataset))
    graph.add((default, VOID.classes, Literal(len(classes))))
    graph.add((default, VOID.properties, Literal(len(properties))))
    for cls, entities in classes.items():
        part = BNode()
        graph.add((default, VOID.classPartition, part))
        graph.add((part, VOID["class"], cls))
        graph.add((part, VOID.entities, Literal(entities)))
    for prop, size in properties.items():
        part = BNode()
        graph.add((default, VOID.propertyPartition, part))
        graph.add((part, VOID.property, prop))
        graph.add((part, VOID.triples, Literal(size)))


# SHACL-AF executables per query form, as the SIB SPARQL examples write them.
EXECUTABLE = {
    "SELECT": ("SPARQLSelectExecutable", SH.select),
    "ASK": ("SPARQLAskExecutable", SH.ask),
    "CONSTRUCT": ("SPARQLConstructExecutable", SH.construct),
}


def add_examples(graph: Graph) -> None:
    """Every file of queries/evidence/ as an example query, read here from the file itself."""
    for path in sorted((paths.root() / "queries" / "evidence").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        body = "\n".join(x for x in text.splitlines() if not x.lstrip().startswith(("#", "PREFIX")))
        found = {w: body.upper().find(w) for w in EXECUTABLE if w in body.upper()}
        form = min(found, key=found.get)  # the first keyword: a CONSTRUCT may hold a sub-SELECT
        node = URIRef(f"http://localhost/queries/{path.stem}")
        kind, text_property = EXECUTABLE[form]
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, SH[kind]))
        graph.add((node, RDFS.label, Literal(path.stem)))
        summary = re.search(r"^#\+ summary:\s*(.*)$", text, re.M)
        graph.add((node, RDFS.comment, Literal(summary[1].strip(), lang="en")))
        graph.add((node, text_property, Literal(text)))
        graph.add((node, SCHEMA.target, ENDPOINT))


@pytest.fixture(scope="module")
def expected(web_data, expected_triples, expected_partitions) -> Graph:
    """The hand-written description plus the dataset as the files say it is."""
    graph = Graph().parse(web_data / "service-description.ttl", format="turtle")
    dataset, default = BNode(), BNode()
    graph.add((ENDPOINT, sd("defaultDataset"), dataset))
    graph.add((dataset, RDF.type, sd("Dataset")))
    graph.add((dataset, sd("defaultGraph"), default))
    graph.add((default, RDF.type, sd("Graph")))
    graph.add((default, VOID_TRIPLES, Literal(expected_triples["default"])))
    add_void(graph, default, expected_partitions)
    add_examples(graph)
    for name, size in expected_triples.items():
        if name == "default":
            continue
        named, inner = BNode(), BNode()
        graph.add((dataset, sd("namedGraph"), named))
        graph.add((named, RDF.type, sd("NamedGraph")))
        graph.add((named, sd("name"), URIRef(name)))
        graph.add((named, sd("graph"), inner))
        graph.add((inner, RDF.type, sd("Graph")))
        graph.add((inner, VOID_TRIPLES, Literal(size)))
    return graph


def differences(expected: Graph, got: Graph) -> str:
    _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    return f"missing {sorted(missing)[:5]}; unexpected {sorted(extra)[:5]}"


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("*/*", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
    ],
)
def test_description_is_the_expected_graph(make_app, expected, accept, media, rdflib_format):
    client = make_app(**LIMITS).test_client()
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media
    assert "Accept" in response.headers["Vary"]
    got = Graph().parse(data=response.data, format=rdflib_format)
    assert isomorphic(got, expected), differences(expected, got)


def test_default_limits_are_the_documented_ones(client):
    """docs/service.md: 10 s per query, 10,000 rows per answer, 5 MiB per request body."""
    g = Graph().parse(data=client.get("/sparql").data, format="turtle")
    limit = {
        p: g.value(ENDPOINT, URIRef(NELMSD + p)).toPython()
        for p in ("queryTimeoutSeconds", "maxResultRows", "maxRequestBodyBytes")
    }
    assert limit == {
        "queryTimeoutSeconds": Decimal(10),
        "maxResultRows": 10_000,
        "maxRequestBodyBytes": 5 * 1024 * 1024,
    }


def test_description_html_page(client):
    response = client.get("/sparql", headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    assert b"<form" in response.data and b"https://w3id.org/nelmkg/graph/kg" in response.data


def test_description_not_acceptable(client, assert_problem):
    assert_problem(client.get("/sparql", headers={"Accept": "image/png"}), 406, "not-acceptable")

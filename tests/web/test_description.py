"""The SPARQL 1.1 Service Description at ``GET /sparql`` (no query)."""

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from nelmkg.graph.store import store_info
from nelmkg.web.sparql.description import FORMATS, NELMSD, SD, VOID

ENDPOINT = URIRef("http://localhost/sparql")


@pytest.fixture
def description(client) -> Graph:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    return Graph().parse(data=response.data, format="turtle")


def test_service(description):
    g = description
    assert (ENDPOINT, RDF.type, SD.Service) in g
    assert (ENDPOINT, SD.endpoint, ENDPOINT) in g
    assert set(g.objects(ENDPOINT, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert (ENDPOINT, SD.feature, SD.UnionDefaultGraph) in g
    formats = set(g.objects(ENDPOINT, SD.resultFormat))
    assert {
        FORMATS.SPARQL_Results_JSON,
        FORMATS.SPARQL_Results_XML,
        FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV,
        FORMATS.Turtle,
        FORMATS["N-Triples"],
        FORMATS.RDF_XML,
        FORMATS["JSON-LD"],
    } == formats


def test_default_dataset_lists_every_graph(description, service):
    g = description
    info = store_info(service.store)
    dataset = g.value(ENDPOINT, SD.defaultDataset)
    default = g.value(dataset, SD.defaultGraph)
    assert g.value(default, VOID.triples).toPython() == info.default
    named = {
        str(g.value(n, SD.name)): g.value(g.value(n, SD.graph), VOID.triples).toPython()
        for n in g.objects(dataset, SD.namedGraph)
    }
    assert named == info.graphs
    assert "https://w3id.org/nelmkg/graph/kg" in named


def test_limits_are_stated(make_app):
    client = make_app(QUERY_TIMEOUT=2.5, MAX_ROWS=77, MAX_CONTENT_LENGTH=1234).test_client()
    g = Graph().parse(data=client.get("/sparql").data, format="turtle")
    assert g.value(ENDPOINT, NELMSD.queryTimeoutSeconds).toPython() == Decimal("2.5")
    assert g.value(ENDPOINT, NELMSD.maxResultRows) == Literal(77)
    assert g.value(ENDPOINT, NELMSD.maxRequestBodyBytes) == Literal(1234)
    for prop in (NELMSD.queryTimeoutSeconds, NELMSD.maxResultRows, NELMSD.maxRequestBodyBytes):
        assert g.value(prop, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_description_formats(client, description, accept, media, rdflib_format):
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.mimetype == media
    assert "Accept" in response.headers["Vary"]
    other = Graph().parse(data=response.data, format=rdflib_format)
    assert len(other) == len(description)


def test_description_html_page(client):
    response = client.get("/sparql", headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    assert b"<form" in response.data and b"https://w3id.org/nelmkg/graph/kg" in response.data


def test_description_not_acceptable(client, assert_problem):
    assert_problem(client.get("/sparql", headers={"Accept": "image/png"}), 406, "not-acceptable")

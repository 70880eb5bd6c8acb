"""Content negotiation: a table of Accept headers and the format each query form gets."""

from urllib.parse import quote

import pytest

from nelmkg.web import conneg

SELECT = "SELECT ?s WHERE { ?s a <http://xmlns.com/foaf/0.1/Document> } LIMIT 2"
ASK = "ASK { ?s ?p ?o }"
DOC = "<http://xmlns.com/foaf/0.1/Document>"
CONSTRUCT = f"CONSTRUCT {{ ?s a {DOC} }} WHERE {{ ?s a {DOC} }}"
DESCRIBE = "DESCRIBE <http://kasei.us/2009/09/sparql/data/data1.rdf>"

# (Accept header, media type for SELECT/ASK, media type for CONSTRUCT/DESCRIBE); None = 406.
TABLE = [
    (None, "application/sparql-results+json", "text/turtle"),
    ("", "application/sparql-results+json", "text/turtle"),
    ("*/*", "application/sparql-results+json", "text/turtle"),
    ("application/sparql-results+json", "application/sparql-results+json", None),
    ("application/json", "application/sparql-results+json", "application/ld+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml", None),
    ("application/xml", "application/sparql-results+xml", "application/rdf+xml"),
    ("text/xml", "application/sparql-results+xml", "application/rdf+xml"),
    ("text/csv", "text/csv", None),
    ("text/tab-separated-values", "text/tab-separated-values", None),
    ("text/turtle", None, "text/turtle"),
    ("application/x-turtle", None, "text/turtle"),
    ("application/n-triples", None, "application/n-triples"),
    ("text/plain", None, "application/n-triples"),
    ("application/rdf+xml", None, "application/rdf+xml"),
    ("application/ld+json", None, "application/ld+json"),
    ("text/html", "text/html", "text/html"),
    ("application/xhtml+xml", "text/html", "text/html"),
    ("image/png", None, None),
    ("text/*", "text/csv", "text/turtle"),
    ("application/*", "application/sparql-results+json", "application/n-triples"),
    # q-values
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml", None),
    ("text/csv, application/sparql-results+xml;q=0.5", "text/csv", None),
    (
        "application/sparql-results+json;q=0, */*;q=0.1",
        "application/sparql-results+xml",
        "text/turtle",
    ),
    ("application/rdf+xml;q=0.9, text/turtle;q=0.8", None, "application/rdf+xml"),
    (
        "text/turtle;q=0.2, application/ld+json;q=0.7, */*;q=0.1",
        "application/sparql-results+json",
        "application/ld+json",
    ),
    ("*/*;q=0", None, None),
    ("application/json;q=bad, text/csv", "text/csv", None),
    # HTML only when asked for by name: wildcards never pick it
    ("text/*;q=1, text/csv;q=0", "text/tab-separated-values", "text/turtle"),
    ("text/html;q=0, */*", "application/sparql-results+json", "text/turtle"),
    # what browsers send
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html", "text/html"),
    # what SPARQLWrapper and rdflib's SPARQLStore send
    (
        "application/sparql-results+json,application/json,text/javascript,application/javascript",
        "application/sparql-results+json",
        "application/ld+json",
    ),
    ("application/sparql-results+xml", "application/sparql-results+xml", None),
    ("application/rdf+xml", None, "application/rdf+xml"),
    # case and parameters
    ("Application/SPARQL-Results+JSON; charset=utf-8", "application/sparql-results+json", None),
    ("garbage, ;;, /", "application/sparql-results+json", "text/turtle"),
]


def _media(fmt):
    return fmt.media_type if fmt else None


@pytest.mark.parametrize(("accept", "results", "graph"), TABLE)
def test_negotiate_table(accept, results, graph):
    assert _media(conneg.negotiate(accept, conneg.RESULT_FORMATS)) == results
    assert _media(conneg.negotiate(accept, conneg.GRAPH_FORMATS)) == graph


@pytest.mark.parametrize(("accept", "results", "graph"), TABLE)
def test_endpoint_answers_the_table(client, assert_problem, accept, results, graph):
    headers = {} if accept is None else {"Accept": accept}
    for query, expected in (
        (SELECT, results),
        (ASK, results),
        (CONSTRUCT, graph),
        (DESCRIBE, graph),
    ):
        response = client.get("/sparql", query_string={"query": query}, headers=headers)
        if expected is None:
            assert_problem(response, 406, "not-acceptable")
        else:
            assert response.status_code == 200, response.data
            assert response.mimetype == expected
            assert "Accept" in response.headers.get("Vary", "")


# The format parameter wins for the kind of result it names a format of; for the other kind
# Accept decides (here it accepts SPARQL XML results only, so a graph then gets 406).
# "json" names JSON-LD for a graph, as SPARQLWrapper means it for CONSTRUCT.
@pytest.mark.parametrize(
    ("value", "results", "graph"),
    [
        ("json", "application/sparql-results+json", "application/ld+json"),
        ("csv", "text/csv", None),
        ("text/tab-separated-values", "text/tab-separated-values", None),
        ("turtle", "application/sparql-results+xml", "text/turtle"),
        ("jsonld", "application/sparql-results+xml", "application/ld+json"),
        ("html", "text/html", "text/html"),
    ],
)
def test_format_parameter_overrides_accept(client, assert_problem, value, results, graph):
    for query, expected in ((SELECT, results), (CONSTRUCT, graph)):
        response = client.get(
            "/sparql",
            query_string={"query": query, "format": value},
            headers={"Accept": "application/sparql-results+xml"},
        )
        if expected is None:
            assert_problem(response, 406, "not-acceptable")
        else:
            assert response.mimetype == expected


def test_unknown_format_parameter(client, assert_problem):
    response = client.get("/sparql", query_string={"query": SELECT, "format": "yaml"})
    assert_problem(response, 400, "unknown-format", parameter="format")


def test_text_types_declare_utf8(client):
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_html_result_table(client):
    response = client.get(
        "/sparql", query_string={"query": SELECT}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    assert b"<table>" in response.data
    assert b"http://kasei.us/2009/09/sparql/data/" in response.data


# The words clients put in format/output/results, written from SPARQLWrapper's and Virtuoso's
# usage: (query string after the query, SELECT answer, CONSTRUCT answer), Accept: */*.
CLIENT_WORDS = [
    ("format=xml&output=xml&results=xml", "application/sparql-results+xml", "application/rdf+xml"),
    ("format=json", "application/sparql-results+json", "application/ld+json"),
    ("format=n3", "application/sparql-results+json", "text/turtle"),
    ("format=rdf", "application/sparql-results+json", "application/rdf+xml"),
    ("output=json-ld", "application/sparql-results+json", "application/ld+json"),
    ("results=nt", "application/sparql-results+json", "application/n-triples"),
    (
        "format=tsv&format=text/tab-separated-values&output=tsv&output=text/tab-separated-values",
        "text/tab-separated-values",
        "text/turtle",
    ),
    (
        "format=application/ld+json,application/x-json+ld&format=json-ld",
        "application/sparql-results+json",
        "application/ld+json",
    ),
    ("format=&output=csv", "text/csv", "text/turtle"),
]


@pytest.mark.parametrize(("params", "select", "construct"), CLIENT_WORDS)
def test_client_format_words(client, params, select, construct):
    for query, expected in ((SELECT, select), (CONSTRUCT, construct)):
        url = f"/sparql?query={quote(query)}&{params.replace('+', '%2B')}"
        response = client.get(url, headers={"Accept": "*/*"})
        assert response.status_code == 200, response.data[:300]
        assert response.mimetype == expected, (params, query)


def test_format_parameters_that_disagree(client, assert_problem):
    response = client.get(f"/sparql?query={quote(SELECT)}&format=json&output=csv")
    assert_problem(response, 400, "conflicting-format", parameter="format")

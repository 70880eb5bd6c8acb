"""The SPARQL 1.1 Protocol, query operation, from the W3C protocol test suite and the spec.

``W3C`` holds every test of the W3C suite (rdf-tests ``sparql11/protocol/manifest.ttl``),
requests as the manifest writes them (path ``/sparql/``, the graphs it names loaded from
``tests/data/web/protocol.trig``). The service is read-only, so the suite's update tests get
403 here where the suite expects success: they are listed with that status, on purpose.
"""

from urllib.parse import quote, urlencode

import pytest

DATA = "http://kasei.us/2009/09/sparql/data/"
D0, D1, D2, D3 = (f"{DATA}data{i}.rdf" for i in range(4))
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
RESULTS = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR = (*RESULTS, "text/csv", "text/tab-separated-values")
RDF = (
    "application/rdf+xml",
    "text/turtle",
    "application/n-triples",
    "text/html",
    "application/ld+json",
)


def qs(*pairs: tuple[str, str]) -> str:
    return urlencode(pairs, quote_via=quote)


# id: (method, url params, content type, body (str, or pairs for a form), status, expected)
# expected: True/False for ASK, a tuple of acceptable media types, or the problem type's slug.
W3C = {
    "query_get": ("GET", [("query", "ASK {}"), ("default-graph-uri", D0)], None, None, 200, True),
    "query_post_form": (
        "POST",
        [("default-graph-uri", D0)],
        FORM,
        [("query", "ASK {}")],
        200,
        True,
    ),
    "query_post_direct": ("POST", [("default-graph-uri", D0)], DIRECT, "ASK {}", 200, True),
    "query_dataset_default_graph": (
        "POST",
        [],
        FORM,
        [("query", f"ASK {{ <{D1}> ?p ?o }}"), ("default-graph-uri", D1)],
        200,
        True,
    ),
    "query_dataset_default_graphs_get": (
        "GET",
        [
            ("query", f"ASK {{ <{D1}> a ?type . <{D2}> a ?type . }}"),
            ("default-graph-uri", D1),
            ("default-graph-uri", D2),
        ],
        None,
        None,
        200,
        True,
    ),
    "query_dataset_default_graphs_post": (
        "POST",
        [("default-graph-uri", D1), ("default-graph-uri", D2)],
        DIRECT,
        f"ASK {{ <{D1}> a ?type . <{D2}> a ?type . }}",
        200,
        True,
    ),
    "query_dataset_named_graphs_post": (
        "POST",
        [("named-graph-uri", D1), ("named-graph-uri", D2)],
        DIRECT,
        f"ASK {{ GRAPH ?g1 {{ <{D1}> a ?type }} GRAPH ?g2 {{ <{D2}> a ?type }} }}",
        200,
        True,
    ),
    "query_dataset_named_graphs_get": (
        "GET",
        [
            ("query", f"ASK {{ GRAPH ?g1 {{ <{D1}> a ?type }} GRAPH ?g2 {{ <{D2}> a ?type }} }}"),
            ("named-graph-uri", D1),
            ("named-graph-uri", D2),
        ],
        None,
        None,
        200,
        True,
    ),
    "query_dataset_full": (
        "POST",
        [("default-graph-uri", D3), ("named-graph-uri", D1), ("named-graph-uri", D2)],
        DIRECT,
        f"ASK {{ <{D3}> a ?type GRAPH ?g1 {{ <{D1}> a ?type }} GRAPH ?g2 {{ <{D2}> a ?type }} }}",
        200,
        True,
    ),
    "query_multiple_dataset": (
        "POST",
        [],
        FORM,
        [
            (
                "query",
                f"ASK FROM <{D3}> {{ GRAPH ?g1 {{ <{D1}> a ?type }} "
                f"GRAPH ?g2 {{ <{D2}> a ?type }} }}",
            ),
            ("named-graph-uri", D1),
            ("named-graph-uri", D2),
        ],
        200,
        True,
    ),
    "query_content_type_select": (
        "POST",
        [],
        FORM,
        [("query", "SELECT (1 AS ?value) {}"), ("default-graph-uri", D0)],
        200,
        TABULAR,
    ),
    "query_content_type_ask": (
        "POST",
        [],
        FORM,
        [("query", "ASK {}"), ("default-graph-uri", D0)],
        200,
        RESULTS,
    ),
    "query_content_type_describe": (
        "POST",
        [],
        FORM,
        [("query", "DESCRIBE <http://example.org/>"), ("default-graph-uri", D0)],
        200,
        RDF,
    ),
    "query_content_type_construct": (
        "POST",
        [],
        FORM,
        [("query", "CONSTRUCT { <s> <p> 1 } WHERE {}"), ("default-graph-uri", D0)],
        200,
        RDF,
    ),
    # The suite's update tests: refused, this service is read-only.
    "update_dataset_default_graph": (
        "POST",
        [("using-graph-uri", D1)],
        FORM,
        [("update", "CLEAR ALL")],
        403,
        "update-not-allowed",
    ),
    "update_dataset_default_graphs": (
        "POST",
        [("using-graph-uri", D1), ("using-graph-uri", D2)],
        FORM,
        [("update", "DROP ALL")],
        403,
        "update-not-allowed",
    ),
    "update_dataset_named_graphs": (
        "POST",
        [("using-named-graph-uri", D1)],
        FORM,
        [("update", "DROP ALL")],
        403,
        "update-not-allowed",
    ),
    "update_dataset_full": (
        "POST",
        [("update", "DROP ALL"), ("using-graph-uri", D1)],
        None,
        None,
        403,
        "update-not-allowed",
    ),
    "update_post_form": ("POST", [], FORM, [("update", "CLEAR ALL")], 403, "update-not-allowed"),
    "update_post_direct": ("POST", [], UPDATE, "CLEAR ALL", 403, "update-not-allowed"),
    "update_base_uri": (
        "POST",
        [],
        FORM,
        [("update", "CLEAR SILENT GRAPH <http://example.org/g>")],
        403,
        "update-not-allowed",
    ),
    # Negative tests: any 4xx passes the suite; these are the statuses we answer.
    "bad_query_method": (
        "PUT",
        [("query", "ASK {}"), ("default-graph-uri", D0)],
        None,
        None,
        405,
        None,
    ),
    "bad_multiple_queries": (
        "GET",
        [("query", "ASK {}"), ("query", "SELECT * {}"), ("default-graph-uri", D0)],
        None,
        None,
        400,
        "repeated-parameter",
    ),
    "bad_query_wrong_media_type": (
        "POST",
        [("default-graph-uri", D0)],
        "text/plain",
        "ASK {}",
        415,
        "unsupported-media-type",
    ),
    "bad_query_missing_form_type": (
        "POST",
        [],
        None,
        [("query", "ASK {}"), ("default-graph-uri", D0)],
        415,
        "unsupported-media-type",
    ),
    "bad_query_missing_direct_type": (
        "POST",
        [("default-graph-uri", D0)],
        None,
        "ASK {}",
        415,
        "unsupported-media-type",
    ),
    "bad_query_non_utf8": (
        "POST",
        [("default-graph-uri", D0)],
        f"{DIRECT}; charset=UTF-16",
        "ASK {}",
        415,
        "unsupported-charset",
    ),
    "bad_query_syntax": (
        "GET",
        [("query", "ASK {"), ("default-graph-uri", D0)],
        None,
        None,
        400,
        "query-syntax",
    ),
    "bad_update_get": (
        "GET",
        [("update", "CLEAR ALL"), ("using-graph-uri", D0)],
        None,
        None,
        403,
        "update-not-allowed",
    ),
    "bad_multiple_updates": (
        "POST",
        [("using-graph-uri", D0)],
        FORM,
        [("update", "CLEAR ALL"), ("update", "CLEAR DEFAULT")],
        403,
        "update-not-allowed",
    ),
    "bad_update_wrong_media_type": (
        "POST",
        [("using-graph-uri", D0)],
        "text/plain",
        "CLEAR NAMED",
        415,
        "unsupported-media-type",
    ),
    "bad_update_missing_form_type": (
        "POST",
        [("using-graph-uri", D0)],
        None,
        "CLEAR NAMED",
        415,
        "unsupported-media-type",
    ),
    "bad_update_non_utf8": (
        "POST",
        [("using-graph-uri", D0)],
        f"{UPDATE}; charset=UTF-16",
        "CLEAR NAMED",
        403,
        "update-not-allowed",
    ),
    "bad_update_syntax": (
        "POST",
        [("using-graph-uri", D0)],
        FORM,
        [("update", "CLEAR XYZ")],
        403,
        "update-not-allowed",
    ),
    "bad_update_dataset_conflict": (
        "POST",
        [],
        FORM,
        [
            ("using-named-graph-uri", "http://example/people"),
            (
                "update",
                "WITH <http://example/addresses> DELETE { ?p <x:y> 'Bill' } "
                "WHERE { ?p <x:y> 'Bill' }",
            ),
        ],
        403,
        "update-not-allowed",
    ),
}


def send(client, method, params, content_type, body, path="/sparql/", accept=None):
    """Send one request as the manifest describes it."""
    url = f"{path}?{qs(*params)}" if params else path
    if isinstance(body, list):
        body = qs(*body)
    if isinstance(body, str):
        charset = (content_type or "").lower().partition("charset=")[2] or "utf-8"
        body = body.encode(charset)
    headers = {"Accept": accept} if accept else {}
    if content_type:
        headers["Content-Type"] = content_type
    return client.open(url, method=method, data=body, headers=headers)


# mf:entries of the suite's manifest.ttl (query_dataset_default_graph is in its generator only).
MANIFEST = """query_post_form query_dataset_default_graphs_get query_dataset_default_graphs_post
query_dataset_named_graphs_post query_dataset_named_graphs_get query_dataset_full
query_multiple_dataset query_get query_content_type_select query_content_type_ask
query_content_type_describe query_content_type_construct update_dataset_default_graph
update_dataset_default_graphs update_dataset_named_graphs update_dataset_full update_post_form
update_post_direct update_base_uri query_post_direct bad_query_method bad_multiple_queries
bad_query_wrong_media_type bad_query_missing_form_type bad_query_missing_direct_type
bad_query_non_utf8 bad_query_syntax bad_update_get bad_multiple_updates
bad_update_wrong_media_type bad_update_missing_form_type bad_update_non_utf8 bad_update_syntax
bad_update_dataset_conflict""".split()


def test_suite_is_complete():
    assert len(MANIFEST) == 34
    assert set(MANIFEST) <= set(W3C)


@pytest.mark.parametrize("name", W3C)
def test_w3c_protocol(client, assert_problem, name):
    method, params, content_type, body, status, expected = W3C[name]
    response = send(client, method, params, content_type, body)
    if status >= 400:
        assert_problem(response, status, expected)
        return
    assert response.status_code == status, response.data
    if isinstance(expected, bool):
        assert response.mimetype in RESULTS
        assert response.get_json()["boolean"] is expected
    else:
        assert response.mimetype in expected


@pytest.mark.parametrize(
    ("params", "query", "expected"),
    [
        # no dataset given: the default graph is the union of every named graph
        ([], f"ASK {{ <{D1}> a ?t . <{D2}> a ?t }}", True),
        ([], "ASK { ?c a <http://www.w3.org/2002/07/owl#Class> }", True),
        # default-graph-uri really restricts the default graph ...
        ([("default-graph-uri", D1)], f"ASK {{ <{D2}> ?p ?o }}", False),
        ([("default-graph-uri", D1)], "ASK { ?c a <http://www.w3.org/2002/07/owl#Class> }", False),
        # ... and leaves no named graphs unless some are named too
        ([("default-graph-uri", D1)], "ASK { GRAPH ?g { ?s ?p ?o } }", False),
        # named-graph-uri alone: only those named graphs, and an empty default graph
        ([("named-graph-uri", D1)], f"ASK {{ GRAPH ?g {{ <{D2}> ?p ?o }} }}", False),
        ([("named-graph-uri", D1)], f"ASK {{ GRAPH <{D1}> {{ <{D1}> ?p ?o }} }}", True),
        ([("named-graph-uri", D1)], "ASK { ?s ?p ?o }", False),
        # an unknown graph is an empty graph, not a fetch
        ([("default-graph-uri", "http://127.0.0.1:9/nothing")], "ASK { ?s ?p ?o }", False),
        # FROM / FROM NAMED pick local graphs only
        ([], f"ASK FROM <{D1}> {{ <{D2}> ?p ?o }}", False),
        ([], f"ASK FROM <{D1}> {{ <{D1}> ?p ?o }}", True),
        ([], f"ASK FROM <{D1}> {{ GRAPH ?g {{ ?s ?p ?o }} }}", False),
        ([], f"ASK FROM NAMED <{D2}> {{ GRAPH <{D2}> {{ <{D2}> ?p ?o }} }}", True),
        ([], "ASK FROM <http://127.0.0.1:9/remote.ttl> { ?s ?p ?o }", False),
        # the protocol's dataset wins over the query's FROM
        ([("default-graph-uri", D2)], f"ASK FROM <{D1}> {{ <{D2}> ?p ?o }}", True),
    ],
)
def test_dataset(client, params, query, expected):
    response = client.get(f"/sparql?{qs(('query', query), *params)}")
    assert response.status_code == 200, response.data
    assert response.get_json()["boolean"] is expected


def test_graph_names_come_from_the_form_too(client):
    body = qs(
        ("query", "SELECT ?g { GRAPH ?g { ?s ?p ?o } }"),
        ("named-graph-uri", D1),
        ("named-graph-uri", D3),
    )
    response = client.post("/sparql", data=body, content_type=FORM)
    graphs = {b["g"]["value"] for b in response.get_json()["results"]["bindings"]}
    assert graphs == {D1, D3}


@pytest.mark.parametrize(
    ("request_", "status", "slug"),
    [
        (("GET", "query=ASK%20%7B%7D%FF", None, None), 400, "not-utf8"),
        (("GET", "query=ASK%20%7B%7D&default-graph-uri=%C3", None, None), 400, "not-utf8"),
        (("POST", "", FORM, b"query=ASK%20%7B%7D%FE"), 400, "not-utf8"),
        (("POST", "", DIRECT, b'ASK { FILTER("\xff") }'), 400, "not-utf8"),
        (("POST", "", FORM, b""), 400, "missing-query"),
        (("POST", "", FORM, b"default-graph-uri=http%3A%2F%2Fa%2F"), 400, "missing-query"),
        (("GET", "query=", None, None), 400, "missing-query"),
        (("POST", "", DIRECT, b"  \n"), 400, "missing-query"),
        (("POST", "query=ASK%7B%7D", DIRECT, b"ASK {}"), 400, "repeated-parameter"),
        (("POST", "query=ASK%7B%7D", FORM, b"query=ASK%7B%7D"), 400, "repeated-parameter"),
        (("GET", "query=ASK%7B%7D&format=json&format=xml", None, None), 400, "conflicting-format"),
        (
            ("GET", "query=ASK%7B%7D&default-graph-uri=not%20an%20iri", None, None),
            400,
            "bad-graph-iri",
        ),
        (("GET", "query=ASK%7B%7D&named-graph-uri=", None, None), 400, "bad-graph-iri"),
        (("GET", "&".join(["a=1"] * 1001), None, None), 400, "bad-parameters"),
        (("POST", "", "application/json", b'{"query": "ASK {}"}'), 415, "unsupported-media-type"),
        (("POST", "", f"{FORM}; charset=latin-1", b"query=ASK%7B%7D"), 415, "unsupported-charset"),
        (("DELETE", "query=ASK%7B%7D", None, None), 405, None),
        (("PATCH", "", None, None), 405, None),
        (("GET", "update=CLEAR%20ALL&query=ASK%7B%7D", None, None), 403, "update-not-allowed"),
        (
            ("GET", "query=" + quote("LOAD <http://example.org/data.ttl>"), None, None),
            403,
            "update-not-allowed",
        ),
        (
            ("POST", "", DIRECT, b"INSERT DATA { <http://a/s> <http://a/p> 1 }"),
            403,
            "update-not-allowed",
        ),
        (("POST", "", FORM, b"query=" + quote("DROP ALL").encode()), 403, "update-not-allowed"),
    ],
)
def test_refused_requests(client, assert_problem, request_, status, slug):
    method, query_string, content_type, body = request_
    headers = {"Content-Type": content_type} if content_type else {}
    url = f"/sparql?{query_string}" if query_string else "/sparql"
    response = client.open(url, method=method, data=body, headers=headers)
    assert_problem(response, status, slug)


def test_405_names_the_allowed_methods(client, assert_problem):
    response = client.put("/sparql?query=ASK%7B%7D")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_415_says_what_to_post(client):
    response = client.post("/sparql", data="ASK {}", content_type="text/plain")
    assert "application/sparql-query" in response.headers["Accept-Post"]


def test_syntax_error_has_line_and_column(client, assert_problem):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    body = assert_problem(response, 400, "query-syntax")
    assert body["line"] == 3 and body["column"] >= 1
    assert "3:" in body["detail"]


def test_head_and_trailing_slash(client):
    assert client.head("/sparql?query=ASK%7B%7D").status_code == 200
    assert client.get("/sparql/?query=ASK%7B%7D").get_json()["boolean"] is True


def test_relative_iris_resolve_against_the_endpoint(client):
    response = client.post("/sparql", data="SELECT (<x> AS ?x) {}", content_type=DIRECT)
    value = response.get_json()["results"]["bindings"][0]["x"]["value"]
    assert value == "http://localhost/x"


@pytest.mark.parametrize(
    "raw",
    [
        b"ASK%20%7B%7D",
        b"a+b%2Bc",
        b"%ZZ",
        b"abc%",
        b"%4",
        b"a\\nb%41",
        b"x\\x41%5C",
        b"%e2%82%ac%E2%82%AC",
        b"",
        b"%%41",
        "é".encode(),
    ],
)
def test_unquote_is_urllibs(raw):
    from urllib.parse import unquote_to_bytes

    from nelmkg.web.sparql.protocol import unquote

    assert unquote(raw) == unquote_to_bytes(raw.replace(b"+", b" "))

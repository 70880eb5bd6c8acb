"""The public endpoint's protections hold in front of an external store (the Oxigraph server).

A service is built over the loaded Oxigraph server through a relay (:mod:`nelmkg.testing.relay`)
that records every request and can be switched to a store that has become slow (it reads a
request and never answers). Then:

- a query nelmkg refuses (SERVICE, an update, a syntax error) gets the same answer as from the
  embedded store and never reaches the store;
- a graph the store holds but nelmkg did not load is not served (dataset restriction);
- the row cap is applied by nelmkg: the same truncated answer as from the embedded store;
- a slow store: ``/sparql``, a page and ``/readyz`` answer 503 problem+json within their time
  limits (never a hang), while ``/healthz`` (liveness) stays 200;
- a stopped store (a second Oxigraph server, stopped after the service was built): the same,
  at once; ``nelmkg serve --store`` on a store that is not there exits with one line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from nelmkg.graph.remote import RemoteStore
from nelmkg.testing import stores
from nelmkg.testing.live import free_port
from nelmkg.testing.relay import Relay
from nelmkg.web import create_app
from nelmkg.web.fhir.work import FhirWork
from nelmkg.web.service import build_service

LIMIT = 2  # seconds: the query time limit and the store time limit of the relayed service
PING = 5  # seconds: /readyz's own limit on asking the store (web/health.py)
SLACK = 4  # seconds beyond a limit that an answer may take (process start-up, a loaded CI)
PAGE = "/id/claim/morgan-70-90-100-pct-comparable-survival"
PRIVATE = "http://example.org/private-graph"
REFUSED = {
    "service": "SELECT * WHERE { SERVICE <http://example.org/elsewhere> { ?s ?p ?o } }",
    "update": "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
    "syntax": "SELECT * WHERE { ?s ?p ",
    "undeclared-prefix": "SELECT * WHERE { ?s nope:p ?o }",
}


def _service(query_url: str):
    return build_service(
        remote=RemoteStore(query_url, timeout=LIMIT),
        memory_mb=1024,
        fhir_work=FhirWork,
        query_timeout=LIMIT,
    )


def _app(service, **config):
    settings = {"COMMIT": "0" * 40, "QUERY_TIMEOUT": LIMIT, "STORE_TIMEOUT": LIMIT, **config}
    return create_app(settings, service=service)


@pytest.fixture(scope="module")
def relay(oxigraph):
    port = urlsplit(oxigraph.query_url).port
    found = Relay(("127.0.0.1", port))
    yield found
    found.close()


@pytest.fixture(scope="module")
def relayed_service(relay):
    built = _service(relay.url("/query"))
    yield built
    built.close()


@pytest.fixture
def relayed(relay, relayed_service):
    """A test client over the relayed service; the relay passes again afterwards."""
    relay.mode = "pass"
    yield _app(relayed_service).test_client()
    relay.mode = "pass"


def _problem(response) -> dict:
    assert response.mimetype == "application/problem+json", response.data[:300]
    return json.loads(response.data)


@pytest.mark.parametrize("name", REFUSED)
def test_refused_query_never_reaches_the_store(client, relayed, relay, name):
    text = REFUSED[name]
    want = client.post("/sparql", data={"query": text})
    got = relayed.post("/sparql", data={"query": text})
    assert want.status_code >= 400
    assert (got.status_code, _problem(got)["type"]) == (want.status_code, _problem(want)["type"])
    assert text not in relay.requests_text()


@pytest.fixture
def private_graph(oxigraph):
    """A graph in the store that ``nelmkg load`` did not write (removed afterwards)."""
    turtle = b"<http://example.org/secret> <http://example.org/p> <http://example.org/o> ."
    url = f"{oxigraph.gsp_url}?graph={PRIVATE}"
    put = urllib.request.Request(url, turtle, {"Content-Type": "text/turtle"}, method="PUT")
    urllib.request.urlopen(put, timeout=10).close()
    yield PRIVATE
    urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=10).close()


def _value(data: bytes):
    """Return an ASK answer's boolean or a count's number from SPARQL JSON results."""
    answer = json.loads(data)
    if "boolean" in answer:
        return answer["boolean"]
    return int(answer["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(
    "text",
    [
        "SELECT (COUNT(*) AS ?n) FROM <{g}> WHERE {{ ?s ?p ?o }}",
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
        "SELECT (COUNT(*) AS ?n) FROM NAMED <{g}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "ASK {{ GRAPH ?g {{ <http://example.org/secret> ?p ?o }} }}",
    ],
)
def test_graph_not_loaded_is_not_served(oxigraph, relayed, private_graph, text):
    query = text.format(g=private_graph)
    headers = {"Accept": "application/sparql-results+json"}
    # The graph is in the store: asked directly, the store answers from it ...
    direct = urllib.request.Request(
        oxigraph.query_url,
        data=urlencode({"query": query}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    with urllib.request.urlopen(direct, timeout=10) as answer:
        assert _value(answer.read()) in (True, 1)
    # ... through nelmkg, it is not there.
    got = relayed.post("/sparql", data={"query": query}, headers=headers)
    assert got.status_code == 200
    assert _value(got.data) in (False, 0)


def test_row_cap_applied_by_nelmkg(client, relayed_service):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o)) } ORDER BY ?s ?p ?o"
    cap = 7
    embedded = create_app(
        {"COMMIT": "0" * 40, "MAX_ROWS": cap}, service=client.application.extensions["nelmkg"]
    ).test_client()
    remote = _app(relayed_service, MAX_ROWS=cap).test_client()
    args = MultiDict([("query", query)])
    headers = {"Accept": "application/sparql-results+json"}
    want, got = (
        embedded.post("/sparql", data=args, headers=headers),
        remote.post("/sparql", data=args, headers=headers),
    )
    assert want.status_code == got.status_code == 200
    rows = json.loads(got.data)["results"]["bindings"]
    assert len(rows) == cap
    assert rows == json.loads(want.data)["results"]["bindings"]
    truncated = {k: v for k, v in want.headers.items() if "runcat" in k or "Warning" in k}
    assert truncated == {k: v for k, v in got.headers.items() if "runcat" in k or "Warning" in k}


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_slow_store_gives_503_not_a_hang(relayed, relay):
    assert relayed.get(PAGE).status_code == 200
    relay.mode = "hold"
    response, took = _timed(
        lambda: relayed.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    )
    assert response.status_code == 503 and took < LIMIT + SLACK
    assert _problem(response)["type"].endswith("/query-timeout"), response.data
    response, took = _timed(lambda: relayed.get(PAGE, headers={"Accept": "text/html"}))
    assert response.status_code == 503 and took < LIMIT + SLACK
    assert response.headers["Retry-After"]
    response, took = _timed(lambda: relayed.get("/readyz"))
    assert response.status_code == 503 and took < PING + SLACK
    assert (_problem(response)["type"].endswith("/not-ready"), _problem(response)["failed"]) == (
        True,
        ["store"],
    )
    assert relayed.get("/healthz").status_code == 200  # alive: no restart for a slow store


@pytest.fixture
def stopped(tmp_path, protocol_data):
    """A service over a second Oxigraph server, and that server, stopped afterwards."""
    with stores.oxigraph_server(tmp_path) as server:
        stores.load(server, [protocol_data])
        built = _service(server.query_url)
    yield _app(built).test_client()
    built.close()


def test_stopped_store_gives_503_at_once(stopped):
    for call in (
        lambda: stopped.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}),
        lambda: stopped.get(PAGE, headers={"Accept": "application/json"}),
    ):
        response, took = _timed(call)
        assert response.status_code == 503 and took < SLACK
        assert _problem(response)["type"].endswith("/store-unavailable")
        assert response.headers["Retry-After"]
    response, took = _timed(lambda: stopped.get("/readyz"))
    assert response.status_code == 503 and took < SLACK
    assert _problem(response)["failed"] == ["store"] and response.headers["Retry-After"]
    assert stopped.get("/healthz").status_code == 200


def test_serve_refuses_a_store_that_is_not_there():
    url = f"http://127.0.0.1:{free_port()}/query"
    done = subprocess.run(
        [sys.executable, "-m", "nelmkg.cli", "serve", "--store", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr

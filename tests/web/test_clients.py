"""Every client just works, against a real ``nelmkg serve`` (gunicorn) on 127.0.0.1.

SPARQLWrapper — its defaults and each of its return formats, for SELECT, ASK, CONSTRUCT and
DESCRIBE, over GET, form POST and direct POST — rdflib's ``SPARQLStore``, curl, and a
JavaScript client (Node's fetch). The expected values are written by hand from
``ontology/nelm.ttl`` (its title), not taken from the service.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

ONTOLOGY = "https://w3id.org/nelmkg/ontology"
TITLE = "nelmkg ontology: neuroendocrine liver metastases treatment evidence"
QUERIES = {
    "SELECT": f"SELECT ?title WHERE {{ <{ONTOLOGY}> <{DCTERMS.title}> ?title }}",
    "ASK": f"ASK {{ <{ONTOLOGY}> a <http://www.w3.org/2002/07/owl#Ontology> }}",
    "CONSTRUCT": f"CONSTRUCT {{ <{ONTOLOGY}> <{DCTERMS.title}> ?t }} "
    f"WHERE {{ <{ONTOLOGY}> <{DCTERMS.title}> ?t }}",
    "DESCRIBE": f"DESCRIBE <{ONTOLOGY}>",
}
RETURN_FORMATS = {
    "default": None,
    "json": JSON,
    "xml": XML,
    "turtle": TURTLE,
    "n3": N3,
    "rdf": RDF,
    "rdfxml": RDFXML,
    "csv": CSV,
    "tsv": TSV,
    "jsonld": JSONLD,
}
METHODS = {"get": None, "post": POST, "postdirectly": POSTDIRECTLY}
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
GRAPH_TYPES = {"text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"}
GRAPH_PARSERS = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}


def wrapper(base: str, form: str, fmt: str | None, method: str | None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{base}/sparql")
    sparql.setQuery(QUERIES[form])
    if fmt is not None:
        sparql.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        sparql.setMethod(POST)
        sparql.setRequestMethod(POSTDIRECTLY)
    elif method is not None:
        sparql.setMethod(method)
    return sparql


def check_body(form: str, content_type: str, body: bytes) -> None:
    """The answer carries the ontology's title (or true), in a format fit for the form."""
    if form in ("SELECT", "ASK"):
        assert content_type in RESULT_TYPES, content_type
        if form == "ASK":
            assert b"true" in body.lower()
        else:
            assert TITLE.encode() in body
    else:
        assert content_type in GRAPH_TYPES, content_type
        graph = Graph().parse(data=body, format=GRAPH_PARSERS[content_type])
        assert (URIRef(ONTOLOGY), DCTERMS.title, Literal(TITLE, lang="en")) in graph


@pytest.mark.parametrize("method", sorted(METHODS))
@pytest.mark.parametrize("fmt", list(RETURN_FORMATS))
@pytest.mark.parametrize("form", sorted(QUERIES))
def test_sparqlwrapper(live_server, form, fmt, method):
    base = live_server[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper warns on odd pairs
        result = wrapper(base, form, RETURN_FORMATS[fmt], METHODS[method]).query()
        content_type = result.info()["content-type"].split(";")[0]
        body = result.response.read()
        check_body(form, content_type, body)
        converted = wrapper(base, form, RETURN_FORMATS[fmt], METHODS[method]).queryAndConvert()
    text = (
        converted.serialize(format="nt")
        if isinstance(converted, Graph)
        else converted.toxml()
        if hasattr(converted, "toxml")
        else json.dumps(converted)
        if isinstance(converted, dict | list)
        else converted.decode()
        if isinstance(converted, bytes)
        else str(converted)
    )
    assert ("true" in text.lower()) if form == "ASK" else (TITLE in text), text[:300]


def test_rdflib_sparqlstore(live_server):
    """rdflib's SPARQLStore with its defaults (it asks for XML: results or RDF/XML)."""
    base = live_server[0]
    graph = Graph(store=SPARQLStore(query_endpoint=f"{base}/sparql"))
    rows = list(graph.query(QUERIES["SELECT"]))
    assert [str(r[0]) for r in rows] == [TITLE]
    assert graph.query(QUERIES["ASK"]).askAnswer is True
    for form in ("CONSTRUCT", "DESCRIBE"):
        answered = graph.query(QUERIES[form]).graph
        assert (URIRef(ONTOLOGY), DCTERMS.title, Literal(TITLE, lang="en")) in answered, form
    assert list(graph.objects(URIRef(ONTOLOGY), DCTERMS.title)) == [Literal(TITLE, lang="en")]


def test_rdflib_sparqlstore_json(live_server):
    """SPARQLStore asking for JSON results (rdflib reads no graph as JSON: SELECT and ASK)."""
    store = SPARQLStore(query_endpoint=f"{live_server[0]}/sparql", returnFormat="json")
    graph = Graph(store=store)
    assert [str(r[0]) for r in graph.query(QUERIES["SELECT"])] == [TITLE]
    assert graph.query(QUERIES["ASK"]).askAnswer is True


CURL = [
    ("GET", "text/csv", ["-G", "--data-urlencode", f"query={QUERIES['SELECT']}"]),
    (
        "POST",
        "text/turtle",
        ["-H", "Content-Type: application/sparql-query", "--data-binary", QUERIES["CONSTRUCT"]],
    ),
    ("POST", "application/sparql-results+xml", ["--data-urlencode", f"query={QUERIES['ASK']}"]),
]


@pytest.mark.parametrize(("method", "accept", "args"), CURL, ids=["get-csv", "post-direct", "form"])
def test_curl(live_server, method, accept, args):
    curl = shutil.which("curl")
    assert curl, "curl is needed (.ci/run installs it)"
    command = [curl, "-sS", "-H", f"Accept: {accept}", *args, f"{live_server[0]}/sparql"]
    done = subprocess.run(command, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    form = (
        "CONSTRUCT" if "CONSTRUCT" in " ".join(args) else "ASK" if "ASK" in args[-1] else "SELECT"
    )
    check_body(form, accept, done.stdout)


def test_javascript_fetch(live_server):
    node = shutil.which("node")
    assert node, "Node.js is needed (.ci/run installs it)"
    script = Path(__file__).parent / "clients" / "fetch.mjs"
    done = subprocess.run([node, str(script), live_server[0]], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["select"] == [TITLE] and out["ask"] is True
    assert out["constructType"].startswith("application/ld+json")
    graph = Graph().parse(data=json.dumps(out["construct"]), format="json-ld")
    assert (URIRef(ONTOLOGY), DCTERMS.title, Literal(TITLE, lang="en")) in graph
    problem = out["problem"]
    assert problem["status"] == 400 and problem["body"]["prefix"] == "nelm"
    assert problem["body"]["suggestion"] == "https://w3id.org/nelmkg/ontology#"


def test_every_api_example_runs_on_the_server(live_server, tmp_path):
    """The curl commands on /api name this server and each one succeeds as printed."""
    import re
    import urllib.request

    base = live_server[0]
    with urllib.request.urlopen(
        urllib.request.Request(f"{base}/api", headers={"Accept": "text/html"})
    ) as r:
        page = r.read().decode()
    blocks = [html_unescape(c) for c in re.findall(r"<code>(curl [^<]*)</code>", page)]
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) >= 20
    spec = json.loads(urllib.request.urlopen(f"{base}/openapi.json").read())
    sample = spec["components"]["schemas"]["Case"]["examples"][0]
    (tmp_path / "case.json").write_text(json.dumps(sample), encoding="utf-8")
    # The CDS Hooks example posts a patient-view call (CDS Hooks 1.0) with the sample Bundle.
    bundle = json.loads(urllib.request.urlopen(f"{base}/fhir/examples/sample-bundle.json").read())
    call = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"patientId": "case-01", "userId": "Practitioner/1"},
        "prefetch": {"case": bundle},
    }
    (tmp_path / "cds-request.json").write_text(json.dumps(call), encoding="utf-8")
    for command in commands:
        args = shlex.split(command)
        assert any(a.startswith(base) for a in args), command
        done = subprocess.run(
            [*args, "-sS", "-o", "/dev/null", "-w", "%{http_code}"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.stdout.startswith("2"), f"{command} -> {done.stdout} {done.stderr}"


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)

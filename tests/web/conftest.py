"""Fixtures of the web service tests: one loaded service per session, a fresh app per test.

The session's :class:`~nelmkg.web.service.Service` holds the bundled graphs plus
``tests/data/web/protocol.trig`` (the graphs the W3C protocol tests name) and one evaluator
process; every ``app`` reuses it with its own config. ``assert_problem`` is the one check of
the problem+json error shape, for test-client and live responses alike.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF

from nelmkg.testing import live
from nelmkg.web import create_app
from nelmkg.web.fhir.work import FhirWork
from nelmkg.web.problems import PROBLEM_BASE
from nelmkg.web.service import build_service

WEB_DATA = Path(__file__).parent.parent / "data" / "web"
PROTOCOL_DATA = WEB_DATA / "protocol.trig"


@pytest.fixture(scope="session")
def web_data() -> Path:
    """The folder of the web tests' data files."""
    return WEB_DATA


@pytest.fixture(scope="session")
def service():
    """The service loaded once: bundled graphs + protocol test graphs, one evaluator."""
    built = build_service([PROTOCOL_DATA], memory_mb=1024, fhir_work=FhirWork)
    yield built
    built.close()


GRAPH = "https://w3id.org/nelmkg/graph/"


@pytest.fixture(scope="session")
def expected_triples(source_graphs) -> dict[str, int]:
    """Triples per graph of the service's dataset, counted by rdflib from the files themselves.

    ``source_graphs`` are the graphs ``graph/ontology``, ``graph/kg`` and ``graph/shapes``;
    ``protocol.trig`` keeps its graph names and its default-graph triples go into
    ``graph/data/protocol.trig``; the default graph is the union (distinct triples).
    """
    graphs = {GRAPH + part: graph for part, graph in source_graphs.items()}
    trig = Dataset()
    trig.parse(PROTOCOL_DATA, format="trig")
    for s, p, o, g in trig.quads((None, None, None, None)):
        name = GRAPH + "data/protocol.trig" if g == DATASET_DEFAULT_GRAPH_ID else str(g)
        graphs.setdefault(name, Graph()).add((s, p, o))
    union = {triple for graph in graphs.values() for triple in graph}
    return {"default": len(union), **{name: len(g) for name, g in graphs.items()}}


@pytest.fixture(scope="session")
def expected_partitions(source_graphs) -> tuple[dict, dict]:
    """VoID partitions of the default graph, counted here from the files themselves: distinct
    subjects per class (IRIs only) and triples per property."""
    graphs = [*source_graphs.values()]
    trig = Dataset()
    trig.parse(PROTOCOL_DATA, format="trig")
    extra = Graph()
    for s, p, o, _ in trig.quads((None, None, None, None)):
        extra.add((s, p, o))
    union = {triple for graph in [*graphs, extra] for triple in graph}
    classes: dict = {}
    for s, p, o in union:
        if p == RDF.type and isinstance(o, URIRef):
            classes.setdefault(o, set()).add(s)
    properties: dict = {}
    for _, p, _ in union:
        properties[p] = properties.get(p, 0) + 1
    return {c: len(s) for c, s in classes.items()}, properties


@pytest.fixture
def make_app(service):
    """Return a factory of apps sharing the session's service, with config overrides."""

    def make(**config):
        return create_app({"COMMIT": "0" * 40, **config}, service=service)

    return make


@pytest.fixture
def app(make_app):
    """An app with the default configuration."""
    return make_app()


@pytest.fixture
def client(app):
    """A test client of ``app``."""
    return app.test_client()


def check_problem(response, status: int, slug: str | None = None, **members) -> dict:
    """Assert ``response`` is an RFC 9457 problem with ``status`` (and ``slug``); return it.

    ``response`` is a Flask test response or anything with ``status_code``, ``mimetype``
    and ``data`` (the live-server tests wrap their replies so).
    """
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "application/problem+json"
    text = response.data.decode("utf-8")
    assert "Traceback" not in text and 'File "' not in text
    body = json.loads(text)
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert body["type"] == (PROBLEM_BASE + slug if slug else "about:blank")
    assert body["title"] and body["detail"]
    for name, value in members.items():
        assert body.get(name) == value, (name, body)
    return body


@pytest.fixture(scope="session")
def assert_problem():
    """The problem+json assertion helper (see :func:`check_problem`)."""
    return check_problem


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """``nelmkg serve`` under gunicorn (2 workers, query time limit 2 s) on a free local port.

    Yields ``(base_url, process, log_path)``; the server is stopped (and reaped) at the end.
    """
    port = live.free_port()
    log = tmp_path_factory.mktemp("live") / "server.log"
    env = {**os.environ, "NELMKG_QUERY_TIMEOUT": "2", "NELMKG_MAX_ROWS": "1000"}
    command = live.serve_command(port, 2, [PROTOCOL_DATA])
    with live.running(command, port, env=env, log=log) as server:
        yield server.base, server.process, server.log

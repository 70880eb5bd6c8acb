"""The ontology IRI and version IRI, ``/changes`` and ``/.well-known/void``.

Expectations come from the files: the ontology as rdflib parses ``ontology/nelm.ttl``, the
committed pyLODE page, ``pyproject.toml``'s version, ``CHANGELOG.md``'s entry and the VoID
counts the web conftest takes from the data files.
"""

from __future__ import annotations

import json
import tomllib

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import Namespace

from nelmkg import paths

VOID = Namespace("http://rdfs.org/ns/void#")
HTML = {"Accept": "text/html"}


def project_version() -> str:
    with (paths.checkout() / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]["version"]


@pytest.fixture(scope="module")
def ontology_source() -> Graph:
    return Graph().parse(paths.root() / "ontology" / "nelm.ttl", format="turtle")


@pytest.mark.parametrize("path", ["/ontology", f"/ontology/{project_version()}"])
def test_ontology_iris_give_the_documentation_to_browsers(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.data == (paths.root() / "ontology" / "doc" / "nelm.html").read_bytes()


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_ontology_iri_gives_the_ontology_as_rdf(client, ontology_source, accept, fmt):
    response = client.get("/ontology", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert isomorphic(Graph().parse(data=response.data, format=fmt), ontology_source)


def test_other_version_iri_is_404(client, assert_problem):
    assert_problem(client.get("/ontology/0.0.0"), 404)


def test_changes_from_the_previous_release(client):
    version = project_version()
    data = json.loads(client.get("/changes").data)
    assert (data["old"], data["new"]) == ("0.1.0", version)
    keys = ["claims", "recommendations", "criteria", "criteria-sets", "references", "ambiguities"]
    assert list(data["summary"]) == keys
    markdown = client.get("/changes?format=md").data.decode()
    entry = (paths.checkout() / "CHANGELOG.md").read_text(encoding="utf-8")
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert table and all(line in entry for line in table)
    page = client.get("/changes", headers=HTML).data.decode()
    assert f"Changes from 0.1.0 to {version}" in page and "<script" not in page


def test_well_known_void(client, expected_triples, expected_partitions):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    dataset = next(graph.subjects(VOID.sparqlEndpoint, URIRef("http://localhost/sparql")))
    assert graph.value(dataset, VOID.triples) == Literal(expected_triples["default"])
    classes, properties = expected_partitions
    got = {
        graph.value(p, VOID["class"]): graph.value(p, VOID.entities).toPython()
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert got == classes
    got = {
        graph.value(p, VOID.property): graph.value(p, VOID.triples).toPython()
        for p in graph.objects(dataset, VOID.propertyPartition)
    }
    assert got == properties

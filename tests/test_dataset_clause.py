"""Whether a query names its own dataset decides whether it sees the union view (issue 14).

The store's default graph is the union of the named graphs as a per-query view, which would
replace a query's own ``FROM`` (:mod:`nelmkg.graph.store`): so the text is read for a ``FROM``
keyword (:func:`nelmkg.graph.sparqltext.has_dataset_clause`), and a ``FROM`` inside a string,
IRI, comment, variable or prefixed name must not count. The table is hand-written; the end
of the file runs the same queries on a store and compares with what the dataset must give.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from nelmkg.graph.sparqltext import has_dataset_clause
from nelmkg.graph.store import UnionStore
from nelmkg.query.engine import run
from nelmkg.query.jobs import Job

G1, G2 = "http://e/g1", "http://e/g2"
# (query, names its dataset?) — the WHERE pattern is always { ?s ?p ?o }.
CASES = [
    ("SELECT ?o WHERE { ?s ?p ?o }", False),
    (f"SELECT ?o FROM <{G1}> WHERE {{ ?s ?p ?o }}", True),
    (f"select ?o from <{G1}> where {{ ?s ?p ?o }}", True),
    (f"SELECT ?o FROM<{G1}>WHERE{{ ?s ?p ?o }}", True),
    (f"SELECT ?o FROM NAMED <{G1}> WHERE {{ ?s ?p ?o }}", True),
    (f"SELECT ?o\n# FROM <{G1}>\nWHERE {{ ?s ?p ?o }}", False),
    ("SELECT ?o WHERE { ?s ?p ?o FILTER(?o != 'FROM <x>') }", False),
    ('SELECT ?o WHERE { ?s ?p ?o FILTER(?o != """a\nFROM <x>""") }', False),
    ("SELECT ?o WHERE { ?s ?p ?o FILTER(?o != <http://e/FROM>) }", False),
    ("SELECT ?o WHERE { ?s ?p ?o BIND(1 AS ?from) }", False),
    ("PREFIX from: <http://e/> SELECT ?o WHERE { ?s ?p ?o FILTER(?p != from:from) }", False),
    ("SELECT ?o WHERE { ?s ?p ?o FILTER(?o != 'x'@from) }", False),
]


@pytest.mark.parametrize(("query", "named"), CASES)
def test_dataset_clause_is_read_from_the_tokens(query, named):
    assert has_dataset_clause(query) is named


@pytest.fixture(scope="module")
def store() -> UnionStore:
    inner = ox.Store()
    inner.add(
        ox.Quad(
            ox.NamedNode("http://e/s"),
            ox.NamedNode("http://e/p"),
            ox.Literal("one"),
            ox.NamedNode(G1),
        )
    )
    inner.add(
        ox.Quad(
            ox.NamedNode("http://e/s"),
            ox.NamedNode("http://e/p"),
            ox.Literal("two"),
            ox.NamedNode(G2),
        )
    )
    return UnionStore(inner)


def objects(store, query: str, **dataset) -> list[str]:
    answer = run(store, Job(query, result_format="tsv", **dataset), {})
    return sorted(line.strip('"') for line in answer.body.decode().splitlines()[1:])


@pytest.mark.parametrize(("query", "named"), CASES)
def test_each_query_sees_its_dataset(store, query, named):
    """The union (both graphs) unless the query names G1: then G1 as default graph, or for
    FROM NAMED only, an empty default graph (SPARQL 1.1 §13.2)."""
    want = (["one"] if "NAMED" not in query else []) if named else ["one", "two"]
    assert objects(store, query) == want


def test_protocol_dataset_replaces_the_union_and_the_querys_own(store):
    """default-graph-uri / named-graph-uri replace both (SPARQL 1.1 Protocol §2.1.4)."""
    query = f"SELECT ?o FROM <{G1}> WHERE {{ ?s ?p ?o }}"
    assert objects(store, query, default_graphs=(G2,)) == ["two"]
    assert objects(store, "SELECT ?o WHERE { ?s ?p ?o }", default_graphs=(G2,)) == ["two"]
    assert objects(store, "SELECT ?o WHERE { ?s ?p ?o }", named_graphs=(G1,)) == []
    graph_query = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert objects(store, graph_query, named_graphs=(G1,)) == ["one"]
    assert objects(store, graph_query) == ["one", "two"]

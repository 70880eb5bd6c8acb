"""Results capped at the row limit are Oxigraph's own serialisation, cut after the cap.

The service writes results with Oxigraph's writers and stops them at the row cap by counting
rows in the text as it comes (:mod:`nelmkg.query.writers`). Each format is checked against
Oxigraph's uncapped serialisation of the same results, parsed by rdflib's result parsers:
with a cap above the row count the text is Oxigraph's, byte for byte; with a smaller cap the
rows are the first ``cap`` of Oxigraph's, in order, and the answer says it was truncated. The
extra queries hold what could fool a row count: braces, commas, quotes and ``<result>`` in
literals, line breaks, and empty solutions.
"""

import io

import pyoxigraph as ox
import pytest
from rdflib.query import Result

from nelmkg import paths
from nelmkg.graph.store import load_store
from nelmkg.query import writers

FORMATS = writers.SOLUTION_FORMATS
EXTRA = [
    'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("tab\\there" "quote\\"and,comma") '
    '("new\\nline" UNDEF) ("x"@en-GB 1.50) (<http://e/x> true) } }',
    "SELECT ?b WHERE { BIND(BNODE() AS ?b) }",
    "SELECT * WHERE { } ",
    'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("},{\\"b\\":{" 1) (UNDEF UNDEF) ("{}" "<result>") '
    '(UNDEF "x") ("a\\r\\nb,{\\"" UNDEF) (UNDEF UNDEF) ("]}}" 2) } }',
    "SELECT ?nothing WHERE { ?s a ?type } LIMIT 40",
]
QUERIES = [p.read_text(encoding="utf-8") for p in paths.competency_files()] + EXTRA
IDS = [p.stem for p in paths.competency_files()] + [f"extra{i}" for i in range(len(EXTRA))]


@pytest.fixture(scope="module")
def store():
    return load_store()


def parsed(body: bytes, key: str):
    if key == "tsv":  # rdflib reads no empty TSV row; a TSV row is a line (breaks are escaped)
        head, *lines = body.decode().split("\n")[:-1]
        return head.split("\t"), lines
    result = Result.parse(io.BytesIO(body), format=key)
    names = [str(v) for v in result.vars]
    return names, [
        tuple(
            None
            if row.get(v) is None
            else ("bnode" if row.get(v).__class__.__name__ == "BNode" else row.get(v))
            for v in result.vars
        )
        for row in result.bindings
    ]


@pytest.mark.parametrize("key", FORMATS)
@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_uncapped_is_oxigraphs_text(store, query, key):
    theirs = store.query(query).serialize(format=FORMATS[key])
    ours, truncated = writers.solutions(lambda: store.query(query), key, 10**9)
    assert not truncated
    if "BNODE" in query:  # a fresh blank node each time: the same number of rows
        assert len(parsed(ours, key)[1]) == len(parsed(theirs, key)[1])
    elif key == "csv":  # made by way of TSV: the same rows, written again by Oxigraph
        assert parsed(ours, key) == parsed(theirs, key)
    else:
        assert ours == theirs


@pytest.mark.parametrize("key", FORMATS)
@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_capped_keeps_the_first_rows(store, query, key):
    full = store.query(query).serialize(format=FORMATS[key])
    names, rows = (
        ([], [()]) if not store.query(query).variables else parsed(full, key)
    )  # rdflib cannot read a result without variables
    for cap in {1, 2, max(len(rows) - 1, 1), len(rows)}:
        body, truncated = writers.solutions(lambda: store.query(query), key, cap)
        assert truncated == (len(rows) > cap), cap
        if "BNODE" in query:  # fresh blank nodes each time: the count only
            assert len(parsed(body, key)[1]) == min(cap, len(rows))
        elif names:
            assert parsed(body, key) == (names, rows[:cap]), cap


@pytest.mark.parametrize("key", ["ntriples", "turtle"])
def test_graph_cap(store, key):
    query = "CONSTRUCT WHERE { ?s a ?type }"
    full = {tuple(map(str, t)) for t in store.query(query)}
    body, truncated = writers.triples(
        store.query(query),
        key,
        7,
        {"owl": str(ox.NamedNode("http://www.w3.org/2002/07/owl#").value)},
    )
    fmt = writers.GRAPH_FORMATS[key]
    kept = [tuple(map(str, q.triple)) for q in ox.parse(body, format=fmt)]
    assert truncated and len(kept) == 7 and set(kept) <= full


@pytest.mark.parametrize("key", ["json", "xml"])
@pytest.mark.parametrize("value", [True, False])
def test_boolean_writers(key, value):
    body = writers.write_boolean(value, key)
    assert Result.parse(io.BytesIO(body), format=key).askAnswer is value

"""Differential test: every named query answers the same on rdflib's default store and on ours.

Each ``queries/{competency,evidence,qc}/*.rq`` runs on the rdflib ``Dataset`` of
``load_dataset()`` (the default in-memory store) and through the service's own engine on the
Oxigraph store (``nelmkg.graph.store.load_store`` + ``nelmkg.query.engine.run``, serialised and
parsed back, as a client would see it). Solutions are compared as multisets of rows with
terms normalised: numeric literals by value (lexical forms differ between engines), blank
nodes as "a blank node"; graphs are compared by isomorphism. A query with ``#+ example:``
lines runs once per example, its parameters bound by ``initBindings`` on one side and by
substitution on the other.
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal, InvalidOperation

import pytest
from rdflib import BNode, Graph, Literal, URIRef, namespace
from rdflib.compare import isomorphic
from rdflib.query import Result

from nelmkg import paths
from nelmkg.graph.params import parse_example
from nelmkg.graph.queries import load_queries
from nelmkg.graph.store import load_store
from nelmkg.query.bound import rdflib_view
from nelmkg.query.engine import run
from nelmkg.query.jobs import Job
from nelmkg.web.service import output_prefixes

NUMERIC = {
    namespace.XSD[t]
    for t in "integer decimal double float int long short byte nonNegativeInteger "
    "positiveInteger nonPositiveInteger negativeInteger unsignedInt unsignedLong".split()
}


FOLDERS = ("competency", "evidence", "qc")

# Known divergences, each a query that relies on rdflib deviating from SPARQL 1.1 (strict xfail:
# remove the entry once the query is fixed).
KNOWN_DIVERGENT: dict[str, str] = {}


@pytest.fixture(scope="module")
def store():
    return load_store()


_QUERIES = pytest.StashKey[list]()


def named_queries(config: pytest.Config) -> list:
    """Return ``(folder/name, NamedQuery)`` for every query of FOLDERS, prepared once."""
    if _QUERIES not in config.stash:
        config.stash[_QUERIES] = [
            (f"{f}/{q.name}", q)
            for f in FOLDERS
            for q in load_queries(paths.queries_dir(f)).values()
        ]
    return config.stash[_QUERIES]


def pytest_generate_tests(metafunc):
    if "named_query" in metafunc.fixturenames:
        found = named_queries(metafunc.config)
        params = [
            pytest.param(
                q,
                id=key,
                marks=[pytest.mark.xfail(reason=KNOWN_DIVERGENT[key])]
                if key in KNOWN_DIVERGENT
                else [],
            )
            for key, q in found
        ]
        metafunc.parametrize("named_query", params)


def normalise(term) -> tuple | None:
    """Return a comparable form of a result term (numbers by value, blank nodes alike)."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, URIRef):
        return ("iri", str(term))
    assert isinstance(term, Literal), term
    if term.datatype in NUMERIC:
        try:
            return ("number", Decimal(str(term)).normalize())
        except InvalidOperation:
            return ("number", str(term).upper())  # INF, NaN
    if term.datatype == namespace.XSD.boolean:
        return ("boolean", str(term).strip().lower() in ("true", "1"))
    datatype = str(term.datatype or ("" if term.language else namespace.XSD.string))
    return ("literal", str(term), (term.language or "").lower(), datatype)


def rows(result: Result) -> Counter:
    names = list(result.vars or [])
    return Counter(tuple(normalise(b.get(v)) for v in names) for b in result.bindings)


def bindings_of(query) -> list[dict]:
    """Return the binding sets to run: none, then each ``#+ example:`` line's."""
    sets = [{}]
    for example in query.examples:
        bound = parse_example(example, query.params)
        if bound:
            sets.append(bound)
    return sets


def test_named_queries_collected(pytestconfig):
    folders = {key.split("/")[0] for key, _ in named_queries(pytestconfig)}
    assert folders == set(FOLDERS)


def test_differential(dataset, store, named_query):
    query = named_query
    view = rdflib_view(store)
    for bindings in bindings_of(query):
        expected = dataset.query(query.prepared, initBindings=bindings)
        job = Job(
            query=query.text,
            result_format="json",
            graph_format="ntriples",
            max_rows=10**9,
            checked=True,
            named=query.name,
            bindings=tuple(bindings.items()),
        )
        answer = run(store, job, output_prefixes(), view=view, named={query.name: query})
        where = f"{query.name} with {bindings or 'no bindings'}"
        if expected.type == "CONSTRUCT" or expected.type == "DESCRIBE":
            got = Graph().parse(data=answer.body, format="nt")
            assert isomorphic(expected.graph, got), f"{where}: graphs differ"
            continue
        actual = Result.parse(io.BytesIO(answer.body), format="json")
        if expected.type == "ASK":
            assert actual.askAnswer == expected.askAnswer, where
            continue
        assert [str(v) for v in actual.vars] == [str(v) for v in expected.vars], where
        want, got = rows(expected), rows(actual)
        assert want == got, (
            f"{where}: only on rdflib {sorted(map(str, (want - got).elements()))[:5]}; "
            f"only on Oxigraph {sorted(map(str, (got - want).elements()))[:5]}"
        )

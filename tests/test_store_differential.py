"""Differential test: every named query answers the same on rdflib's engine and on Oxigraph's.

Each ``queries/{competency,evidence,qc}/*.rq`` runs on the rdflib ``Dataset`` of
``load_dataset()`` (rdflib's SPARQL engine on its in-memory store) and on the Oxigraph store
(``nelmkg.graph.store.load_store``). Solutions are compared as multisets of rows with terms
normalised: numeric literals by value (lexical forms differ between engines), blank nodes as
"a blank node"; graphs are compared by isomorphism.

Without parameters the Oxigraph side is the service's own path (``nelmkg.query.engine.run``,
serialised and parsed back, as a client would see it). A query with ``#+ example:`` lines
also runs once per example, and there the two sides must still be two engines:

- rdflib binds the parameters with ``initBindings``;
- Oxigraph binds them itself (:func:`nelmkg.testing.values.oxigraph_bound`: its own SEP-0007
  substitution, or, since it substitutes only projected variables and no named query projects
  its parameter, a ``VALUES`` block put into the query text, a transformation tested in
  ``tests/test_sparql_values.py``).

The service binds a named query's parameters in its text (:func:`nelmkg.query.bound.bind`,
the ``VALUES`` block) and evaluates it on Oxigraph with the union default graph as a view;
that answer, parsed back, is compared with rdflib's ``initBindings`` answer too.
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef, namespace
from rdflib.compare import isomorphic
from rdflib.query import Result

from nelmkg import paths
from nelmkg.graph.params import parse_example
from nelmkg.graph.queries import load_queries
from nelmkg.graph.store import load_store
from nelmkg.query.bound import bind
from nelmkg.query.engine import run
from nelmkg.query.jobs import Job
from nelmkg.testing.values import oxigraph_bound
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


def to_rdflib(term):
    """Return the rdflib term of an Oxigraph term (None stays None)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def oxigraph_answer(result) -> tuple[str, object]:
    """Return (kind, comparable answer) of an Oxigraph result read directly."""
    if isinstance(result, ox.QueryBoolean):
        return "ASK", bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        found = Counter(tuple(normalise(to_rdflib(s[n])) for n in names) for s in result)
        return "SELECT", (names, found)
    graph = Graph()
    for triple in result:
        graph.add(tuple(map(to_rdflib, (triple.subject, triple.predicate, triple.object))))
    return "GRAPH", graph


def rdflib_answer(result: Result) -> tuple[str, object]:
    """Return (kind, comparable answer) of an rdflib result."""
    if result.type == "ASK":
        return "ASK", bool(result.askAnswer)
    if result.type == "SELECT":
        return "SELECT", ([str(v) for v in result.vars], rows(result))
    return "GRAPH", result.graph


def assert_same(left: tuple, right: tuple, where: str, names=("left", "right")) -> None:
    """Assert two comparable answers are equal (graphs by isomorphism)."""
    assert left[0] == right[0], f"{where}: {left[0]} vs {right[0]}"
    if left[0] == "GRAPH":
        assert isomorphic(left[1], right[1]), f"{where}: graphs differ"
        return
    if left[0] == "ASK":
        assert left[1] == right[1], where
        return
    (lvars, want), (rvars, got) = left[1], right[1]
    assert lvars == rvars, where
    assert want == got, (
        f"{where}: only on {names[0]} {sorted(map(str, (want - got).elements()))[:5]}; "
        f"only on {names[1]} {sorted(map(str, (got - want).elements()))[:5]}"
    )


def bindings_of(query) -> list[dict]:
    """Return the binding sets to run: none, then each ``#+ example:`` line's."""
    sets = [{}]
    for example in query.examples:
        bound = parse_example(example, query.params)
        if bound:
            sets.append(bound)
    return sets


def test_named_queries_collected(pytestconfig):
    found = named_queries(pytestconfig)
    assert {key.split("/")[0] for key, _ in found} == set(FOLDERS)
    # the bound path below is exercised: some query has an example that binds parameters
    assert any(len(bindings_of(query)) > 1 for _, query in found)


def service_answer(store, query, bindings: dict) -> tuple[str, object]:
    """Return the service engine's answer (``engine.run``), parsed back as a client would."""
    text = bind(query.text, query.values_at, tuple(bindings.items())) if bindings else query.text
    job = Job(
        query=text,
        result_format="json",
        graph_format="ntriples",
        max_rows=10**9,
        checked=True,
        union=not query.dataset_clause,
    )
    answer = run(store, job, output_prefixes())
    if answer.form == "graph":
        return "GRAPH", Graph().parse(data=answer.body, format="nt")
    return rdflib_answer(Result.parse(io.BytesIO(answer.body), format="json"))


def test_differential(dataset, store, named_query):
    query = named_query
    for bindings in bindings_of(query):
        rdflib_side = rdflib_answer(dataset.query(query.prepared, initBindings=bindings))
        if not bindings:
            where = f"{query.name} with no bindings"
            service = service_answer(store, query, bindings)
            assert_same(rdflib_side, service, where, ("rdflib", "Oxigraph"))
            continue
        result, how = oxigraph_bound(store, query.text, bindings)
        oxigraph_side = oxigraph_answer(result)
        where = f"{query.name} with {bindings} (Oxigraph bound by {how})"
        assert_same(rdflib_side, oxigraph_side, where, ("rdflib", "Oxigraph"))
        service = service_answer(store, query, bindings)
        assert_same(rdflib_side, service, where, ("rdflib", "the service"))

"""Named queries with bound parameters: rdflib's evaluator and ``initBindings`` on our store.

Oxigraph can bind a variable before evaluation (SEP-0007 substitution) only when the query
projects it: ``SELECT ?title WHERE { ?claim ... }`` with ``claim`` bound fails ("does not
contain variable ?claim in its SELECT projection"), and so does any aggregate query. rdflib's
``initBindings`` binds any variable, and it is how the tests run the named queries. So a named
query run *with* parameters is evaluated by rdflib's SPARQL engine — prepared at start-up,
parameters passed as ``initBindings`` — reading the same Oxigraph store through oxrdflib's
rdflib ``Store`` API (:func:`rdflib_view`). Without parameters, named queries run on Oxigraph
like any other query. Results are serialised by the same writers.
"""

from __future__ import annotations

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.plugins.sparql.sparql import Query

from nelmkg.query import jobs
from nelmkg.query.jobs import Answer, Job, QueryFailure


def rdflib_view(store: ox.Store) -> Dataset:
    """Return an rdflib ``Dataset`` over ``store``: its default graph is the store's (the union)."""
    return Dataset(store=OxigraphStore(store=store), default_union=False)


def to_oxigraph(term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Return the Oxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def evaluate(
    view: Dataset, prepared: Query, bindings: dict, job: Job, prefixes: dict[str, str]
) -> Answer:
    """Run ``prepared`` with ``initBindings`` on ``view``; package it like any answer."""
    try:
        result = view.query(prepared, initBindings=bindings)
        if result.type == "ASK":
            return jobs.boolean(bool(result.askAnswer), job)
        if result.type == "SELECT":
            names = [str(v) for v in result.vars or []]
            rows = (
                [None if b.get(v) is None else to_oxigraph(b.get(v)) for v in result.vars]
                for b in result.bindings
            )
            return jobs.solutions(names, rows, job)
        triples = (ox.Triple(*map(to_oxigraph, t)) for t in result.graph)
        return jobs.graph(triples, job, prefixes)
    except QueryFailure:
        raise
    except Exception as exc:  # rdflib raises many types; the query was checked at start-up
        raise QueryFailure(
            400, "query-evaluation", f"The query could not be evaluated: {exc}"
        ) from exc

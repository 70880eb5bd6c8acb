"""Bind a query's variables on Oxigraph: SEP-0007 substitution, else an injected ``VALUES`` block.

For tests only. The differential test binds a named query's parameters with rdflib's
``initBindings`` on one side and needs the same binding done by Oxigraph on the other:
:func:`oxigraph_bound` asks Oxigraph to substitute and, where it refuses (it substitutes only
variables the query projects, and no parameterised named query projects its parameter),
evaluates the query text with a ``VALUES`` block put first in the query's WHERE group
(:func:`nelmkg.graph.sparqltext.with_values`, the transformation the service binds
parameters with; :func:`with_values` here takes rdflib terms).
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from nelmkg.graph import sparqltext
from nelmkg.graph.sparqltext import group_start

__all__ = ["group_start", "oxigraph_bound", "to_oxigraph", "with_values"]


def to_oxigraph(term: URIRef | BNode | Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Return the Oxigraph term of an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
    return ox.Literal(str(term), datatype=datatype)


def with_values(text: str, bindings: Mapping[str, URIRef | Literal]) -> str:
    """Return ``text`` with a ``VALUES`` block binding ``bindings`` (rdflib terms)."""
    return sparqltext.with_values(text, {k: str(to_oxigraph(v)) for k, v in bindings.items()})


def oxigraph_bound(
    store, text: str, bindings: Mapping[str, URIRef | Literal]
) -> tuple[object, str]:
    """Evaluate ``text`` on ``store`` with ``bindings``; return (result, how it was bound).

    How is ``"substitution"`` when Oxigraph substituted the variables itself, else
    ``"values"`` (it refuses variables the query does not project, and aggregate queries).
    """
    substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
    try:
        return store.query(text, substitutions=substitutions), "substitution"
    except RuntimeError as exc:
        if "projection" not in str(exc):
            raise
    return store.query(with_values(text, bindings)), "values"

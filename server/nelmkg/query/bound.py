"""Named queries with bound parameters: a ``VALUES`` block in the query text, run by Oxigraph.

Oxigraph can bind a variable before evaluation (SEP-0007 substitution) only when the query
projects it: ``SELECT ?title WHERE { ?claim ... }`` with ``claim`` bound fails ("does not
contain variable ?claim in its SELECT projection"), and so does any aggregate query. So a
named query's parameters are bound in its text instead: ``VALUES (?a ?b) { (t1 t2) }`` first
in its outermost WHERE group (:func:`nelmkg.graph.sparqltext.with_values`; the offset is found
once per query at start-up), where it joins with the rest of the group before any ``OPTIONAL``,
``FILTER``, grouping or aggregate — what rdflib's ``initBindings`` means, which the tests use
(``tests/test_store_differential.py`` compares the two on every ``#+ example:`` line). Terms
are written by Oxigraph (N-Triples syntax), from values already checked by
:func:`nelmkg.graph.params.parse_param` and Oxigraph's own term constructors, so a value can
never become query syntax.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from nelmkg.graph.sparqltext import with_values


def to_oxigraph(term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Return the Oxigraph term for an rdflib term (ValueError for one Oxigraph refuses)."""
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


def bind(text: str, at: int, bindings: Sequence[tuple[str, object]]) -> str:
    """Return ``text`` with ``bindings`` (``(variable, rdflib term)`` pairs) as a ``VALUES``
    block at offset ``at`` (the query's WHERE group start)."""
    return with_values(text, {name: str(to_oxigraph(term)) for name, term in bindings}, at)

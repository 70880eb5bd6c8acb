"""Content checks over ontology + KG: QC queries, integrity shapes and verbatim quotes.

Each function takes already-loaded graphs, so the CLI and the tests share one parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef

from nelmkg.graph.queries import NamedQuery
from nelmkg.graph.vocab import NELM

_WHITESPACE = re.compile(r"\s+")


def qc_violations(graph: Graph, qc: Iterable[NamedQuery]) -> dict[str, list[tuple]]:
    """Run each ``*-violation`` query over ``graph``; return the rows of those that found any."""
    found: dict[str, list[tuple]] = {}
    for query in qc:
        rows = [tuple(row) for row in graph.query(query.prepared)]
        if rows:
            found[query.name] = rows
    return found


def integrity(data: Graph, shapes: Graph) -> tuple[bool, str]:
    """Validate ``data`` against SHACL ``shapes``; return (conforms, report text).

    No inference is applied: ``data`` already holds the ontology, so ``sh:targetClass``
    follows its ``rdfs:subClassOf`` triples as SHACL prescribes. Results of severity
    ``sh:Warning`` or ``sh:Info`` do not break conformance.
    """
    from pyshacl import validate  # here: the service imports this module for normalise()

    conforms, _, text = validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    return bool(conforms), text


def normalise(text: str) -> str:
    """Collapse every whitespace run (newlines and blank lines included) into one space."""
    return _WHITESPACE.sub(" ", text).strip()


def quotes(kg: Graph) -> list[tuple[URIRef, Literal]]:
    """Return every ``(subject, nelm:quote literal)`` pair of ``kg``, sorted."""
    return sorted((s, o) for s, o in kg.subject_objects(NELM.quote))


def quote_found(quote: str, review: str) -> bool:
    """Return True if ``quote`` is a substring of ``review``, both whitespace-normalised.

    ``review`` should already be normalised (call :func:`normalise` once for many quotes).
    Normalising joins sentences split by the extraction's page breaks; nothing else is
    forgiven: emphasis marks such as ``*et al.*`` and typographic dashes must be copied.
    """
    needle = normalise(str(quote))
    return bool(needle) and needle in review


def missing_quotes(kg: Graph, review: str) -> list[tuple[URIRef, Literal]]:
    """Return the ``nelm:quote`` values of ``kg`` that are not verbatim in ``review``."""
    text = normalise(review)
    return [(s, q) for s, q in quotes(kg) if not quote_found(q, text)]

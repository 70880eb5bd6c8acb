"""Canonical form of a dataset: RDFC-1.0 blank-node labels, sorted quads, fixed bytes.

Two releases of the same data must be byte-identical, but a parser gives blank nodes fresh
ids on every run (the ontology's and shapes' RDF lists, the KG's remaining blank nodes), and
rdflib's writers follow hash-seeded set order. So: W3C RDF Dataset Canonicalization
(RDFC-1.0, https://www.w3.org/TR/rdf-canon/), as pyoxigraph implements it, relabels the
blank nodes ``c14n0``, ``c14n1``, ... from the data alone; the quads are sorted; and
pyoxigraph's writers, which keep input order, write them. N-Quads lines are sorted as text
(the canonical N-Quads document of RDFC-1.0); Turtle, TriG and RDF/XML get the quads sorted by
graph, subject, predicate and object, so each subject's triples stay together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import Dataset, Graph

ALGORITHM = ox.CanonicalizationAlgorithm.RDFC_1_0
FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}


def canonical_quads(ds: Dataset | Graph) -> list[ox.Quad]:
    """Return the quads of ``ds`` with RDFC-1.0 blank-node labels, sorted by graph then triple."""
    data = ds.serialize(format="nquads" if isinstance(ds, Dataset) else "nt", encoding="utf-8")
    fmt = ox.RdfFormat.N_QUADS if isinstance(ds, Dataset) else ox.RdfFormat.N_TRIPLES
    dataset = ox.Dataset(ox.parse(data, format=fmt))
    dataset.canonicalize(ALGORITHM)
    return sorted(dataset, key=_order)


def _order(quad: ox.Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))


def nquads(quads: Iterable[ox.Quad]) -> bytes:
    """Return ``quads`` as N-Quads with the lines sorted (RDFC-1.0's canonical document)."""
    lines = (ox.serialize([quad], format=ox.RdfFormat.N_QUADS) for quad in quads)
    return b"".join(sorted(lines))


def write(quads: Iterable[ox.Quad], fmt: str, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Return ``quads`` (already canonical) in ``fmt`` (a key of :data:`FORMATS`).

    Triple formats (Turtle, RDF/XML, N-Triples) take the quads' triples; prefixes are written
    in name order.
    """
    if fmt == "nquads":
        return nquads(quads)
    target = FORMATS[fmt]
    items: list = list(quads)
    if not target.supports_datasets:
        items = [quad.triple for quad in items]
    table = dict(sorted((prefixes or {}).items())) if target != ox.RdfFormat.N_TRIPLES else None
    return ox.serialize(items, format=target, prefixes=table)


def canonical_nquads(ds: Dataset | Graph) -> bytes:
    """Return ``ds`` as canonical N-Quads (RDFC-1.0 labels, sorted lines)."""
    return nquads(canonical_quads(ds))

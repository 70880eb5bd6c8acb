"""The case model: one patient node and its facts, whatever format the case came in.

A :class:`Case` is what :mod:`nelmkg.cases.read` makes of any input and what the SHACL engines
check: the patient node, its facts (predicate -> RDF terms), its id, and — for plain JSON —
the document's own values, so that violations can be named by JSON key and shown as sent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import PROV, RDF
from rdflib.term import IdentifiedNode, Node

# An absolute IRI without the characters N-Triples cannot hold (``urn:uuid:...``, ``https:``).
_ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$')


@dataclass(frozen=True)
class Case:
    """A case: its patient node, that node's facts, and how to name facts in messages."""

    node: IdentifiedNode
    values: Mapping[URIRef, tuple[Node, ...]]  # the patient's facts, rdf:type included
    id: str | None
    keyed: bool  # True when the input used the case format's JSON keys
    facts: Mapping[str, Any] | None = None  # the JSON document's values, when keyed
    parsed: Graph | None = field(default=None, repr=False, compare=False)  # RDF as read
    # For input that names its sources (a FHIR Bundle, nelmkg.fhir): where each fact came from
    # (property -> {"fullUrl", "expression", ...}), shown per criterion and kept in the graph,
    # and the reader's report of how the input was mapped (the assessment's "mapping").
    provenance: Mapping[URIRef, Mapping[str, Any]] | None = field(default=None, compare=False)
    report: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def graph(self) -> Graph:
        """The case as an RDF graph: as parsed, or built from :attr:`values` on first use.

        With :attr:`provenance`, each fact whose source has an IRI is also stated as an
        ``rdf:Statement`` that is ``prov:wasDerivedFrom`` that IRI (RDF reification).
        """
        if self.parsed is not None:
            return self.parsed
        graph = Graph(bind_namespaces="none")
        for predicate, objects in self.values.items():
            for value in objects:
                graph.add((self.node, predicate, value))
                source = (self.provenance or {}).get(predicate, {}).get("fullUrl")
                if isinstance(source, str) and _ABSOLUTE_IRI.match(source):
                    statement = BNode()
                    graph.add((statement, RDF.type, RDF.Statement))
                    graph.add((statement, RDF.subject, self.node))
                    graph.add((statement, RDF.predicate, predicate))
                    graph.add((statement, RDF.object, value))
                    graph.add((statement, PROV.wasDerivedFrom, URIRef(source)))
        return graph


def node_values(graph: Graph, node: Node) -> dict[URIRef, tuple[Node, ...]]:
    """Return ``node``'s facts in ``graph``: predicate -> objects."""
    found: dict[URIRef, list[Node]] = {}
    for predicate, value in graph.predicate_objects(node):
        found.setdefault(predicate, []).append(value)
    return {p: tuple(objects) for p, objects in found.items()}

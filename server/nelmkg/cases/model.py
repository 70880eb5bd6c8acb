"""The case model: one patient node and its facts, whatever format the case came in.

A :class:`Case` is what :mod:`nelmkg.cases.read` makes of any input and what the SHACL engines
check: the patient node, its facts (predicate -> RDF terms), its id, and — for plain JSON —
the document's own values, so that violations can be named by JSON key and shown as sent.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import IdentifiedNode, Node


@dataclass(frozen=True)
class Case:
    """A case: its patient node, that node's facts, and how to name facts in messages."""

    node: IdentifiedNode
    values: Mapping[URIRef, tuple[Node, ...]]  # the patient's facts, rdf:type included
    id: str | None
    keyed: bool  # True when the input used the case format's JSON keys
    facts: Mapping[str, Any] | None = None  # the JSON document's values, when keyed
    parsed: Graph | None = field(default=None, repr=False, compare=False)  # RDF as read

    @functools.cached_property
    def graph(self) -> Graph:
        """The case as an RDF graph: as parsed, or built from :attr:`values` on first use."""
        if self.parsed is not None:
            return self.parsed
        graph = Graph(bind_namespaces="none")
        for predicate, objects in self.values.items():
            for value in objects:
                graph.add((self.node, predicate, value))
        return graph


def node_values(graph: Graph, node: Node) -> dict[URIRef, tuple[Node, ...]]:
    """Return ``node``'s facts in ``graph``: predicate -> objects."""
    found: dict[URIRef, list[Node]] = {}
    for predicate, value in graph.predicate_objects(node):
        found.setdefault(predicate, []).append(value)
    return {p: tuple(objects) for p, objects in found.items()}

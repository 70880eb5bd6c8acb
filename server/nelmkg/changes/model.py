"""The author's view of a release: each entity of a kind as a label and labelled fields.

A field is a property of the entity, named by its ``rdfs:label`` in the ontology, with its
values as text: a literal's lexical form, an IRI's CURIE (with the label of what it names),
and a part (a blank node, or a node of a ``parts`` class of ``kinds.toml``) written inline
as ``{field: value; ...}``. The view depends only on what the graph says, never on blank-node
ids or on whether a part has an IRI, so two releases compare by meaning.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from nelmkg.graph.params import PARAM_PREFIXES
from nelmkg.graph.vocab import curie

MAX_DEPTH = 3  # parts inside parts (a value's arm) are still shown; deeper is elided
SKIPPED = {RDF.type}  # the kind says it


@dataclass(frozen=True)
class Kind:
    """One kind of entity: its key, heading and class IRI."""

    key: str
    title: str
    cls: URIRef


@dataclass(frozen=True)
class Entity:
    """One entity as an author reads it: IRI, label and fields (name -> sorted values)."""

    iri: str
    label: str
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)


def short(iri: str) -> str:
    """Return the CURIE of ``iri`` in the project prefix table (``claim:x``, ``nelm:y``)."""
    return curie(iri, PARAM_PREFIXES)


def expand(text: str) -> URIRef:
    """Return the IRI of a CURIE of the project prefix table."""
    prefix, _, local = text.partition(":")
    return URIRef(PARAM_PREFIXES[prefix] + local)


def load_kinds() -> tuple[list[Kind], set[URIRef]]:
    """Return the kinds of ``kinds.toml`` in order, and the part classes."""
    table = tomllib.loads(resources.files(__package__).joinpath("kinds.toml").read_text("utf-8"))
    kinds = [Kind(k["key"], k["title"], expand(k["class"])) for k in table["kind"]]
    return kinds, {expand(c) for c in table["parts"]}


class View:
    """Reads entities from ``graph`` (the KG; ``labels`` also holds the ontology's labels)."""

    def __init__(self, graph: Graph, labels: Graph | None = None):
        self.graph = graph
        self.labels = labels if labels is not None else graph
        self.kinds, self.parts = load_kinds()

    def label(self, node: Node) -> str | None:
        """Return the English (or any) ``rdfs:label`` of ``node``."""
        found = [o for g in (self.graph, self.labels) for o in g.objects(node, RDFS.label)]
        english = [o for o in found if isinstance(o, Literal) and o.language in (None, "en")]
        return str(sorted(english or found)[0]) if found else None

    def field_name(self, prop: URIRef) -> str:
        """Return a property's label, or its CURIE."""
        return self.label(prop) or short(str(prop))

    def is_part(self, node: Node) -> bool:
        """Return True for a node shown inside its owner."""
        if isinstance(node, BNode):
            return True
        return any(t in self.parts for t in self.graph.objects(node, RDF.type))

    def text(self, node: Node, depth: int = 0) -> str:
        """Return one value as text."""
        if isinstance(node, Literal):
            return str(node)
        if self.is_part(node):
            if depth >= MAX_DEPTH:
                return "{…}"
            inner = self.fields(node, depth + 1)
            return "{" + "; ".join(f"{k}: {', '.join(v)}" for k, v in inner.items()) + "}"
        name = short(str(node))
        label = self.label(node)
        return f"{name} ({label})" if label and label != name else name

    def fields(self, node: Node, depth: int = 0) -> dict[str, tuple[str, ...]]:
        """Return the fields of ``node``, sorted by name, each value list sorted."""
        found: dict[str, set[str]] = {}
        for prop, value in self.graph.predicate_objects(node):
            if prop in SKIPPED or not isinstance(prop, URIRef):
                continue
            found.setdefault(self.field_name(prop), set()).add(self.text(value, depth))
        return {name: tuple(sorted(values)) for name, values in sorted(found.items())}

    def entities(self, kind: Kind) -> dict[str, Entity]:
        """Return the entities of ``kind`` by IRI."""
        found = {}
        for node in set(self.graph.subjects(RDF.type, kind.cls)):
            if isinstance(node, URIRef):
                label = self.label(node) or short(str(node))
                found[str(node)] = Entity(str(node), label, self.fields(node))
        return dict(sorted(found.items()))

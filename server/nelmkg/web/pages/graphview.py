"""Reading one resource of the graph for the web pages, by SPARQL on the service's store.

:func:`describe` returns the Concise Bounded Description of a resource (its triples, and the
triples of every blank node or PARTS IRI reached from it), which is both what ``/id/...`` serves
to RDF clients and what :class:`Node` wraps for the HTML pages. Labels of the IRIs a page shows
are fetched in one query (:func:`labels`). Queries run in-process on the Oxigraph store: they are
our own fixed queries (never user text), with the resource bound by substitution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from markupsafe import Markup, escape

from nelmkg.graph import markup

ID_BASE = "https://w3id.org/nelmkg/id/"
NELM = "https://w3id.org/nelmkg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# Values, p-values, arms and design groundings have IRIs of their own but are shown as parts of
# the resource that points to them: the description follows these links like blank nodes.
PARTS = frozenset(NELM + p for p in ("hasValue", "pValue", "hasArm", "designGrounding"))

_OUT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # sorted here: the same page from any store
_IN = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s)) } ORDER BY ?p ?s"
# A label for people: rdfs:label, else skos:prefLabel, else the figure or title as printed (a
# reported value or a reference read by its IRI), English first.
_LABELS = """SELECT ?s ?label WHERE {{ VALUES ?s {{ {iris} }}
  {{ ?s <{label}> ?label BIND(1 AS ?rank) }}
  UNION {{ ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label BIND(2 AS ?rank) }}
  UNION {{ ?s <https://w3id.org/nelmkg/ontology#valueAsPrinted> ?label BIND(3 AS ?rank) }}
  UNION {{ ?s <http://purl.org/dc/terms/title> ?label BIND(4 AS ?rank) }} }}
ORDER BY ?s ?rank DESC(LANGMATCHES(LANG(?label), "en"))"""
VOCABULARY_LABELS = Path(__file__).with_name("vocabulary-labels.ttl")


def describe(store: ox.Store, iri: str) -> list[ox.Triple]:
    """Return the CBD of ``iri``: its triples and, deeply, those of its blank nodes and PARTS."""
    triples: list[ox.Triple] = []
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    seen: set = set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        rows = store.query(_OUT, substitutions={ox.Variable("s"): subject})
        for row in sorted(rows, key=lambda r: (r["p"].value, _order(r["o"]))):
            triples.append(ox.Triple(subject, row["p"], row["o"]))
            if isinstance(row["o"], ox.BlankNode) or row["p"].value in PARTS:
                todo.append(row["o"])
    return triples


def _order(term) -> tuple:
    """Return a sort key for a term: kind, value, datatype or language (a total order)."""
    if isinstance(term, ox.Literal):
        return (2, term.value, term.datatype.value, term.language or "")
    return (0 if isinstance(term, ox.NamedNode) else 1, term.value, "", "")


def incoming(store: ox.Store, iri: str) -> list[tuple[str, str]]:
    """Return ``(subject IRI, predicate IRI)`` of every triple pointing at ``iri`` from an IRI."""
    rows = store.query(_IN, substitutions={ox.Variable("o"): ox.NamedNode(iri)})
    return [(row["s"].value, row["p"].value) for row in rows]


def labels(store: ox.Store, iris: Iterable[str]) -> dict[str, str]:
    """Return the ``rdfs:label`` of each IRI that has one (English preferred)."""
    wanted = sorted(set(iris))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 200):
        chunk = " ".join(str(ox.NamedNode(i)) for i in wanted[start : start + 200])
        for row in store.query(_LABELS.format(iris=chunk, label=RDFS_LABEL)):
            found.setdefault(row["s"].value, row["label"].value)
    return found


def vocabulary_labels() -> dict[str, str]:
    """Return the pages' labels for standard-vocabulary terms (``vocabulary-labels.ttl``)."""
    from rdflib import Graph
    from rdflib.namespace import RDFS

    graph = Graph().parse(VOCABULARY_LABELS, format="turtle")
    return {str(s): str(o) for s, o in graph.subject_objects(RDFS.label)}


def humanise(iri: str) -> str:
    """Return a readable name from an IRI's local name (``studyDesign``: ``study design``)."""
    local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).replace("-", " ").replace("_", " ")
    return words.lower() if not local.isupper() else local


def local_path(iri: str) -> str | None:
    """Return the path of this service's page for ``iri``, or None if it has none."""
    return "/id/" + iri[len(ID_BASE) :] if iri.startswith(ID_BASE) else None


@dataclass
class Node:
    """A resource (or blank node) with its outgoing values, and the labels to show IRIs with."""

    term: ox.NamedNode | ox.BlankNode
    props: dict[str, list] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)  # blank node id or part IRI -> Node
    names: dict[str, str] = field(default_factory=dict)  # IRI -> label
    prefixes: dict[str, str] = field(default_factory=dict)  # prefix -> namespace

    @property
    def iri(self) -> str:
        return self.term.value

    def all(self, short: str) -> list:
        """Return the values of a property given as ``prefix:local``."""
        return self.props.get(self.expand(short), [])

    def one(self, short: str):
        """Return one value of a property (the first), or None."""
        values = self.all(short)
        return values[0] if values else None

    def text(self, short: str) -> str | None:
        """Return one value's lexical form, or None."""
        value = self.one(short)
        return None if value is None else value.value

    def children(self, short: str) -> list[Node]:
        """Return the values of a property that are parts of this page (blank nodes, PARTS)."""
        return [self.nodes[v.value] for v in self.all(short) if v.value in self.nodes]

    def types(self) -> set[str]:
        return {t.value for t in self.props.get(RDF_TYPE, [])}

    def expand(self, short: str) -> str:
        prefix, _, local = short.partition(":")
        return self.prefixes.get(prefix, prefix + ":") + local

    def compact(self, iri: str) -> str:
        """Return ``prefix:local`` for ``iri`` when a project prefix fits, else the IRI."""
        best = max(
            (p for p, ns in self.prefixes.items() if iri.startswith(ns)),
            key=lambda p: len(self.prefixes[p]),
            default=None,
        )
        return f"{best}:{iri[len(self.prefixes[best]) :]}" if best else iri

    def name(self, iri: str) -> str:
        """Return the label of ``iri``, else a name made from its local part (never a prefix)."""
        return self.names.get(iri) or humanise(iri)

    def show(self, term) -> Markup:
        """Return HTML for a term: a link to its page, a named IRI or the literal's text."""
        if term is None:
            return Markup("")
        if isinstance(term, ox.NamedNode):
            path = local_path(term.value)
            label = escape(self.name(term.value))
            if path:
                return Markup(f'<a href="{escape(path)}">{label}</a>')
            return Markup(f"<span>{label}</span>")
        if isinstance(term, ox.BlankNode):
            node = self.nodes.get(term.value)
            return Markup(f'<span class="value">{node.summary() if node else ""}</span>')
        return Markup(f"<span>{self.words(markup.html(term.value))}</span>")

    def words(self, html: str) -> str:
        """Return rendered text with the encoders' ``prefix:local`` names as labels."""
        from nelmkg.web.pages.names import words  # names builds on this module

        return words(html, self.names)

    def summary(self) -> Markup:
        """Return a resource without a page of its own (a reported value, a study arm) in words:
        its label or printed figure, else its facts as ``name: value`` pairs."""
        for short in ("rdfs:label", "nelm:valueAsPrinted"):
            text = self.text(short)
            if text:
                return Markup(markup.html(text))
        parts = [
            f"{escape(self.name(p))}: "
            + ", ".join(str(self.show(v)) for v in values if not isinstance(v, ox.BlankNode))
            for p, values in self.props.items()
            if p != RDF_TYPE
        ]
        return Markup("; ".join(parts))


def load_node(
    store: ox.Store, iri: str, prefixes: dict[str, str], names: dict[str, str] | None = None
) -> tuple[Node, list]:
    """Return the :class:`Node` of ``iri`` (blank nodes resolved) and its CBD triples.

    ``names`` is the label table the node shows IRIs with; pages share one among their nodes.
    """
    triples = describe(store, iri)
    nodes: dict[str, Node] = {}
    names = {} if names is None else names
    root = Node(ox.NamedNode(iri), nodes=nodes, names=names, prefixes=prefixes)
    for triple in triples:
        subject = triple.subject
        if subject != root.term:
            node = nodes.setdefault(
                subject.value, Node(subject, nodes=nodes, names=names, prefixes=prefixes)
            )
        else:
            node = root
        node.props.setdefault(triple.predicate.value, []).append(triple.object)
    return root, triples


def related(store: ox.Store, iris: Iterable[str], root: Node) -> list[Node]:
    """Return :class:`Node` views of several IRIs, sharing ``root``'s label table."""
    return [load_node(store, i, root.prefixes, root.names)[0] for i in dict.fromkeys(iris)]


def iris_in(nodes: Iterable[Node]) -> set[str]:
    """Return every IRI used as a value (or subject) by ``nodes`` and their blank nodes."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node.term, ox.NamedNode):
            found.add(node.iri)
        for group in (node, *node.nodes.values()):
            for predicate, values in group.props.items():
                found.add(predicate)
                found.update(v.value for v in values if isinstance(v, ox.NamedNode))
    return found

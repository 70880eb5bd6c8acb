"""VoID: the dataset's statistics, in the service description and at ``/.well-known/void``.

VoID (W3C Interest Group Note, https://www.w3.org/TR/void/) describes a dataset: its size
(``void:triples``), its class partitions (``void:classPartition`` with ``void:class`` and
``void:entities``: how many distinct subjects are typed with each class) and property
partitions (``void:propertyPartition`` with ``void:property`` and ``void:triples``), its
SPARQL endpoint, URI space and vocabulary. The well-known location ``/.well-known/void`` is
VoID's own (section 7.2, registered in the IANA well-known URI registry). Counts are taken over
the default graph (the union of the named graphs), once per service.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from nelmkg.graph.version import ONTOLOGY_IRI
from nelmkg.graph.vocab import ID
from nelmkg.web import conneg
from nelmkg.web.problems import Problem
from nelmkg.web.service import current

VOID = Namespace("http://rdfs.org/ns/void#")
CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}

bp = Blueprint("void", __name__)


@dataclass(frozen=True)
class Partitions:
    """Entities per class and triples per property of the default graph (IRI -> count)."""

    classes: dict[str, int]
    properties: dict[str, int]


def partitions(store: ox.Store) -> Partitions:
    """Count the class and property partitions of ``store``'s default graph."""

    def table(query: str) -> dict[str, int]:
        rows = store.query(query)
        found = {r[0].value: int(r[1].value) for r in rows if isinstance(r[0], ox.NamedNode)}
        return dict(sorted(found.items()))

    return Partitions(table(CLASSES), table(PROPERTIES))


def add_statistics(g: Graph, node, counts: Partitions, triples: int) -> None:
    """State ``node``'s size, class and property partitions (VoID) in ``g``."""
    g.bind("void", VOID)
    g.add((node, VOID.triples, Literal(triples)))
    g.add((node, VOID.classes, Literal(len(counts.classes))))
    g.add((node, VOID.properties, Literal(len(counts.properties))))
    for cls, entities in counts.classes.items():
        part = BNode()
        g.add((node, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(entities)))
    for prop, size in counts.properties.items():
        part = BNode()
        g.add((node, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(size)))


def describe(base: str) -> Graph:
    """Return the VoID description of the dataset served at ``base`` (the service root)."""
    service = current()
    counts = service.built("partitions", lambda: partitions(service.store))
    g = Graph()
    g.bind("dcterms", DCTERMS)
    dataset = URIRef(f"{base}/.well-known/void#nelmkg")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("nelmkg knowledge graph", lang="en")))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(f"{base}/sparql")))
    g.add((dataset, VOID.uriSpace, Literal(str(ID))))
    g.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    g.add((dataset, VOID.rootResource, URIRef(f"{ID}review")))
    g.add((dataset, VOID.exampleResource, URIRef(f"{ID}review")))
    add_statistics(g, dataset, counts, service.info.default)
    return g


@bp.get("/.well-known/void")
def well_known() -> Response:
    """The VoID description of the dataset (Turtle unless negotiated otherwise)."""
    fmt = conneg.negotiate(request.headers.get("Accept"), conneg.GRAPH_FORMATS[:-1])
    if fmt is None:
        names = ", ".join(f.media_type for f in conneg.GRAPH_FORMATS[:-1])
        raise Problem(406, "not-acceptable", f"The VoID description is available as {names}.")
    body = describe(request.host_url.rstrip("/")).serialize(
        format=RDFLIB_FORMATS[fmt.key], encoding="utf-8"
    )
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response

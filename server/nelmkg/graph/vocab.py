"""Namespaces, graph names and the prefix table shared by summaries and expected answers."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

NELM = Namespace("https://w3id.org/nelmkg/ontology#")
ID = Namespace("https://w3id.org/nelmkg/id/")
GRAPH = Namespace("https://w3id.org/nelmkg/graph/")

# The three named graphs of the dataset; the default graph is their union.
GRAPHS: dict[str, URIRef] = {
    "ontology": GRAPH.ontology,
    "kg": GRAPH.kg,
    "shapes": GRAPH.shapes,
}

# Prefixes accepted in expected answers (tests/data/competency/*.json) and used to print
# class names. Documented in queries/README.md; a JSON file may add its own under "prefixes".
PREFIXES: dict[str, str] = {
    "nelm": str(NELM),
    "kg": str(ID),
    "id": str(ID),
    "ref": str(ID) + "reference/",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "sh": str(SH),
    "cito": "http://purl.org/spar/cito/",
    "doco": "http://purl.org/spar/doco/",
    "oa": "http://www.w3.org/ns/oa#",
    "bibo": "http://purl.org/ontology/bibo/",
    "fabio": "http://purl.org/spar/fabio/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
}

# External classes worth counting in a summary besides every class in the nelm: namespace.
KEY_EXTERNAL_CLASSES: tuple[URIRef, ...] = (
    OWL.Ontology,
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    SKOS.Concept,
    SKOS.ConceptScheme,
    PROV.Entity,
    SH.NodeShape,
    SH.PropertyShape,
    URIRef(PREFIXES["bibo"] + "AcademicArticle"),
    URIRef(PREFIXES["fabio"] + "ReviewArticle"),
)


def curie(iri: str, prefixes: dict[str, str] = PREFIXES) -> str:
    """Return ``prefix:local`` for ``iri`` using the longest matching namespace, else the IRI."""
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return str(iri)
    name = next(p for p, ns in prefixes.items() if ns == best)
    return f"{name}:{iri[len(best) :]}"


def expand(text: str, prefixes: dict[str, str] = PREFIXES) -> str:
    """Return the full IRI for ``prefix:local`` when ``prefix`` is known, else ``text`` as is."""
    head, sep, local = text.partition(":")
    if sep and head in prefixes and not any(c.isspace() for c in local):
        return prefixes[head] + local
    return text

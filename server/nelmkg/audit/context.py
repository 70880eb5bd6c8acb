"""The audit's view of the graph: its queries, and readable descriptions of resources.

Every flag module gets one :class:`AuditContext`; it runs the named queries of
``queries/audit/`` and turns IRIs into what a reader needs (labels, quotes, reference entries as
printed), so that the flag modules only decide *whether* and *why* to flag.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.query import ResultRow

from nelmkg import paths
from nelmkg.graph.params import PARAM_PREFIXES
from nelmkg.graph.queries import NamedQuery, load_queries
from nelmkg.graph.vocab import NELM, curie

CITO_EVIDENCE = URIRef("http://purl.org/spar/cito/citesAsEvidence")
CITO_AUTHORITY = URIRef("http://purl.org/spar/cito/citesAsAuthority")


def audit_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Load the audit's queries (``queries/audit/*.rq``), keyed by file stem."""
    return load_queries(folder or paths.queries_dir("audit"))


def short(iri: object) -> str:
    """Return ``prefix:local`` for an IRI using the KG's prefixes (for messages)."""
    return curie(str(iri), PARAM_PREFIXES)


@dataclass
class AuditContext:
    """Ontology + KG as one graph, and the prepared audit queries."""

    graph: Graph
    queries: dict[str, NamedQuery] = field(default_factory=audit_queries)

    def rows(self, name: str) -> Iterator[ResultRow]:
        """Run the audit query ``name`` over the graph and yield its rows."""
        yield from self.graph.query(self.queries[name].prepared)

    # --- readable descriptions --------------------------------------------------------------

    def label(self, node: object) -> str:
        """Return the node's rdfs:label (or skos:prefLabel), else its short IRI."""
        for prop in (RDFS.label, SKOS.prefLabel):
            value = self.graph.value(node, prop)
            if value is not None:
                return str(value)
        return short(node)

    def text(self, node: object, prop: URIRef) -> str | None:
        """Return one literal value of ``prop`` on ``node`` as a string, or ``None``."""
        value = self.graph.value(node, prop)
        return None if value is None else str(value)

    def quote(self, node: object) -> str | None:
        """Return the statement's quote (the first, sorted, when it has several)."""
        quotes = sorted(str(q) for q in self.graph.objects(node, NELM.quote))
        return quotes[0] if quotes else None

    def number(self, reference: object) -> int | None:
        """Return a reference's number in the review's list."""
        value = self.graph.value(reference, NELM.referenceNumber)
        return int(value) if isinstance(value, Literal) else None

    def entry(self, reference: object) -> str:
        """Return ``'22. Mayo SC, Pawlik TM. Surgical management …'``: the entry as printed."""
        printed = self.text(reference, NELM.citationAsPrinted) or self.label(reference)
        number = self.number(reference)
        return f"{number}. {printed}" if number is not None else printed

    def cited(self, statement: object) -> list[URIRef]:
        """Return the references a statement cites (as evidence or authority), by number."""
        refs = set(self.graph.objects(statement, CITO_EVIDENCE))
        refs |= set(self.graph.objects(statement, CITO_AUTHORITY))
        return sorted(refs, key=lambda r: (self.number(r) or 0, str(r)))

    def describe_reference(self, reference: object) -> dict:
        """Return what the audit shows for a reference: number, entry, author, title readings."""
        design = self.graph.value(reference, NELM.designSuggestedByTitle)
        return {
            "reference": str(reference),
            "number": self.number(reference),
            "entry": self.entry(reference),
            "first_author": self.text(reference, NELM.firstAuthorSurname),
            "title": self.text(reference, DCTERMS.title),
            "journal": self.text(reference, NELM.journalAsPrinted),
            "design_suggested_by_title": None if design is None else str(design),
            "design_suggested_by_title_label": None if design is None else self.label(design),
            "population_suggested_by_title": self.text(reference, NELM.populationSuggestedByTitle),
        }

    def design_label(self, design: object | None) -> str:
        """Return a study design's label ('design not stated' when there is none)."""
        return self.label(design) if design is not None else self.label(NELM.DesignNotStated)

    # --- who supports whom -------------------------------------------------------------------

    @cached_property
    def recommendations_of_claim(self) -> dict[str, list[str]]:
        """Map each claim IRI to the recommendations it supports (sorted)."""
        found: dict[str, set[str]] = {}
        for rec in self.graph.subjects(RDF.type, NELM.Recommendation):
            for claim in self.graph.objects(rec, NELM.supportedBy):
                found.setdefault(str(claim), set()).add(str(rec))
        return {k: sorted(v) for k, v in found.items()}

    def recommendations_citing(self, reference: object) -> list[str]:
        """Return the recommendations that cite ``reference`` themselves or through a claim."""
        recs: set[str] = set()
        for prop in (CITO_EVIDENCE, CITO_AUTHORITY):
            for statement in self.graph.subjects(prop, reference):
                if (statement, RDF.type, NELM.Recommendation) in self.graph:
                    recs.add(str(statement))
                recs.update(self.recommendations_of_claim.get(str(statement), []))
        return sorted(recs)

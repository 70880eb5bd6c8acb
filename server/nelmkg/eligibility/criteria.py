"""What an assessment says about each criterion, read once from ontology + KG.

Everything shown next to a result comes from the KG: the criterion's label, quote, section,
reference numbers, unit and its threshold (operator symbol from the ontology, value or
required concepts from the criterion), and the ambiguities attached to it. Nothing medical
is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD

from nelmkg.graph.vocab import NELM, PREFIXES

CITO = PREFIXES["cito"]
_CITES = (URIRef(CITO + "citesAsEvidence"), URIRef(CITO + "citesAsAuthority"))


def notations(knowledge: Graph) -> dict[URIRef, str]:
    """Return every ``skos:notation`` of the ontology (value individuals, units)."""
    return {s: str(o) for s, o in knowledge.subject_objects(SKOS.notation) if isinstance(s, URIRef)}


def _lexical(value: Literal) -> str:
    if value.datatype == XSD.boolean:
        return "true" if value.toPython() else "false"
    return str(value)


def threshold_text(knowledge: Graph, criterion: URIRef, names: dict[URIRef, str]) -> str:
    """Return e.g. ``< 55``, ``>= 20``, ``= true``, ``= none`` or ``in [G1, G2]``."""
    symbol = str(knowledge.value(knowledge.value(criterion, NELM.operator), NELM.symbol))
    concepts = sorted(
        names.get(c, str(c)) for c in knowledge.objects(criterion, NELM.requiredConcept)
    )
    if len(concepts) > 1:
        return f"in [{', '.join(concepts)}]"
    if concepts:
        return f"{symbol} {concepts[0]}"
    return f"{symbol} {_lexical(knowledge.value(criterion, NELM.thresholdValue))}"


def ambiguity(knowledge: Graph, amb: URIRef) -> dict[str, str]:
    """Return an ambiguity as ``{"id", "label", "explanation"}``."""
    return {
        "id": str(amb),
        "label": str(knowledge.value(amb, RDFS.label)),
        "explanation": str(knowledge.value(amb, NELM.explanation)),
    }


@dataclass(frozen=True)
class CriterionInfo:
    """A criterion's fixed facts, in the order of the output's criterion entries."""

    iri: URIRef
    criteria_set: URIRef
    order: int
    property: URIRef
    label: str
    threshold: str
    unit: str | None
    quote: str
    references: tuple[int, ...]
    section: str | None
    ambiguities: tuple[URIRef, ...]

    def entry(self, result: str, value: Any, amb: dict | None) -> dict[str, Any]:
        """Return the output entry for one result of this criterion."""
        return {
            "id": str(self.iri),
            "label": self.label,
            "result": result,
            "value": value,
            "threshold": self.threshold,
            "unit": self.unit,
            "quote": self.quote,
            "references": list(self.references),
            "section": self.section,
            "ambiguity": amb,
            "criteria_set": str(self.criteria_set),
            "related_ambiguities": [
                str(a) for a in self.ambiguities if amb is None or str(a) != amb["id"]
            ],
        }


def criterion_info(knowledge: Graph, criterion: URIRef, names: dict[URIRef, str]) -> CriterionInfo:
    """Read one criterion's facts from ``knowledge`` (ontology + KG)."""

    def one(prop: URIRef) -> Any:
        return knowledge.value(criterion, prop)

    refs = {
        knowledge.value(ref, NELM.referenceNumber)
        for p in _CITES
        for ref in knowledge.objects(criterion, p)
    }
    section = one(NELM.inSection)
    where = knowledge.value(section, NELM.sectionPath) or knowledge.value(section, RDFS.label)
    unit = names.get(one(NELM.unit)) or None  # unitless has the empty notation
    return CriterionInfo(
        iri=criterion,
        criteria_set=one(NELM.inCriteriaSet),
        order=int(one(NELM.criterionOrder)),
        property=one(NELM.patientProperty),
        label=str(one(RDFS.label)),
        threshold=threshold_text(knowledge, criterion, names),
        unit=unit,
        quote=str(one(NELM.quote)),
        references=tuple(sorted(int(r) for r in refs if r is not None)),
        section=str(where) if where is not None else None,
        ambiguities=tuple(sorted(knowledge.objects(criterion, NELM.hasAmbiguity))),
    )

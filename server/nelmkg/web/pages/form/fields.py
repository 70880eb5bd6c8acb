"""The assessment form's fields, read from the case shapes and the ontology (never written here).

One field per property shape of the generated case shapes (``shapes/case/patient.ttl``): its
JSON key (``sh:name``), its label and description for people (``rdfs:label``,
``sh:description``), its place (``sh:order``), its allowed values in the order of ``sh:in``
(each shown by its ``rdfs:label``) and the format's range (``sh:minInclusive``,
``sh:minExclusive``, ``sh:maxInclusive``). The unit is the ontology's ``nelm:factUnit`` of the
fact, shown by its ``skos:notation`` (none for a count); the group a field belongs to is what
the fact describes (``nelm:describes``: the patient, the primary tumour, the liver metastases).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH, SKOS

from nelmkg.cases.context import CaseKey
from nelmkg.graph.vocab import NELM

QUDT = Namespace("http://qudt.org/schema/qudt/")


def sentence_case(text: str) -> str:
    """Return ``text`` with its first letter capitalised (``WHO grade`` stays as it is)."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Choice:
    """One answer of a choice: the value submitted (the case's JSON string) and its words."""

    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One fact of the case format as the form asks for it."""

    key: str
    kind: str  # number | integer | boolean | concept (the case context's kinds)
    label: str
    description: str
    order: int
    group: str
    unit: str | None = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    above: float | None = None  # an exclusive minimum
    maximum: float | None = None

    @property
    def title(self) -> str:
        """The label as a heading (first letter capitalised)."""
        return sentence_case(self.label)

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "integer")


def _number(graph: Graph, shape: URIRef, prop: URIRef) -> float | int | None:
    value = graph.value(shape, prop)
    if value is None:
        return None
    number = value.toPython()
    return int(number) if float(number).is_integer() else float(number)


def _choices(shapes: Graph, knowledge: Graph, shape: URIRef, key: CaseKey) -> tuple[Choice, ...]:
    allowed = shapes.value(shape, SH["in"])
    members = list(Collection(shapes, allowed)) if allowed is not None else []
    notation = {iri: text for text, iri in key.values.items()}
    return tuple(
        Choice(notation[m], str(knowledge.value(m, RDFS.label) or notation[m])) for m in members
    )


def _unit(knowledge: Graph, prop: URIRef) -> str | None:
    """Return the notation of the fact's unit; none for a count (UCUM code ``1``: a pure
    number, which a unit word would only clutter)."""
    unit = knowledge.value(prop, NELM.factUnit)
    if unit is None or str(knowledge.value(unit, QUDT.ucumCode)) == "1":
        return None
    return _text(knowledge, unit, SKOS.notation) or None


def _text(graph: Graph, subject: URIRef, prop: URIRef) -> str:
    value = graph.value(subject, prop)
    return "" if value is None else str(value)


def read_fields(shapes: Graph, knowledge: Graph, keys: dict[str, CaseKey]) -> list[Field]:
    """Return the form's fields in the case shapes' ``sh:order``.

    ``shapes`` are the case shapes, ``knowledge`` the ontology (+ KG), ``keys`` the case
    context's key table (which says how each key's JSON value is read).
    """
    found = []
    for shape in shapes.subjects(SH.name, None):
        key = keys.get(str(shapes.value(shape, SH.name)))
        if key is None or shapes.value(shape, SH.path) != key.property:
            continue  # a shape that is not about one fact of the case format
        described = knowledge.value(key.property, NELM.describes)
        found.append(
            Field(
                key=key.key,
                kind=key.kind,
                label=_text(shapes, shape, RDFS.label) or key.key,
                description=_text(shapes, shape, SH.description),
                order=int(shapes.value(shape, SH.order)),
                group=sentence_case(_text(knowledge, described, RDFS.label)) if described else "",
                unit=_unit(knowledge, key.property),
                choices=_choices(shapes, knowledge, shape, key) if key.kind == "concept" else (),
                minimum=_number(shapes, shape, SH.minInclusive),
                above=_number(shapes, shape, SH.minExclusive),
                maximum=_number(shapes, shape, SH.maxInclusive),
            )
        )
    return sorted(found, key=lambda f: f.order)


def groups(fields: list[Field]) -> list[tuple[str, list[Field]]]:
    """Return the fields grouped by what they describe, groups in the order of their first
    field, fields in their own order."""
    found: dict[str, list[Field]] = {}
    for field in fields:
        found.setdefault(field.group, []).append(field)
    return list(found.items())

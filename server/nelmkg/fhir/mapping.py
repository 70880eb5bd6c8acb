"""The FHIR mapping of the case format: the key table joined with ``mapping.toml``.

The case keys, kinds and allowed values come from the case context
(:class:`~nelmkg.cases.context.CaseContext`); each numeric key's unit (its UCUM code), label
and definition from the ontology (``nelm:factUnit`` -> ``qudt:ucumCode``, ``rdfs:label``,
``skos:definition``). ``mapping.toml`` beside this module holds only what is FHIR-specific:
code systems, standard codes with their sources, and UCUM conversion factors. Nothing here
imports ``fhir.resources``: a plain-JSON run never pays for it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDFS, SKOS

from nelmkg.cases.context import CaseContext
from nelmkg.graph.vocab import NELM

QUDT = Namespace("http://qudt.org/schema/qudt/")
MAPPING_FILE = Path(__file__).with_name("mapping.toml")


@dataclass(frozen=True)
class Value:
    """One allowed value of a concept key: its code (the JSON string), label, definition."""

    code: str
    iri: str
    label: str
    definition: str


@dataclass(frozen=True)
class KeySpec:
    """One case key as FHIR sees it: kind, UCUM unit, allowed values, words."""

    key: str
    property: str
    kind: str  # number | integer | boolean | concept
    unit: str | None  # UCUM code of the fact's unit ("1" for counts), None if unitless
    label: str
    definition: str
    values: tuple[Value, ...] = ()


@dataclass(frozen=True)
class Route:
    """How one (system, code) reaches a key."""

    key: str
    resource: str  # Observation | Condition
    value: str  # observation-value | condition-presence
    system: str
    code: str
    display: str | None = None
    body_site: tuple[str, str] | None = None  # (system, code) the Observation must carry
    source: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class FhirMapping:
    """Everything the Bundle reader needs, built once (see :func:`build_mapping`)."""

    systems: dict[str, str]
    keys: dict[str, KeySpec]
    routes: dict[tuple[str, str], Route]
    conversions: dict[tuple[str, str], Fraction]
    observation: dict[str, Any]
    condition: dict[str, Any]
    bundle_types: frozenset[str]
    standard: tuple[Route, ...] = field(default=())

    def route(self, system: str | None, code: str | None) -> Route | None:
        """Return the route of a coding, or None when the coding is not mapped."""
        return self.routes.get((system or "", code or ""))

    def factor(self, unit: str, target: str) -> Fraction | None:
        """Return the factor turning a value in ``unit`` into ``target`` (1 if equal)."""
        return Fraction(1) if unit == target else self.conversions.get((unit, target))

    def as_json(self) -> dict[str, Any]:
        """Return the mapping as served at ``/fhir/mapping`` (documented in docs/fhir.md)."""
        case = self.systems["case"]
        keys = []
        for spec in self.keys.values():
            codes = [{"system": case, "code": spec.key, "resource": "Observation"}]
            codes += [_route_json(r) for r in self.standard if r.key == spec.key]
            entry: dict[str, Any] = {
                "key": spec.key,
                "label": spec.label,
                "kind": spec.kind,
                "unit": spec.unit,
                "value": VALUE_TYPES[spec.kind],
                "codes": codes,
            }
            if spec.values:
                entry["values"] = [
                    {"system": self.systems["case_value"], "code": v.code, "display": v.label}
                    for v in spec.values
                ]
            keys.append(entry)
        return {
            "systems": self.systems,
            "keys": keys,
            "conversions": [
                {"from": a, "to": b, "factor": str(f)} for (a, b), f in self.conversions.items()
            ],
            "observation": self.observation,
            "condition": self.condition,
        }


# Which value[x] each kind of key takes (docs/fhir.md restates this table).
VALUE_TYPES = {
    "number": ["valueQuantity"],
    "integer": ["valueInteger", "valueQuantity"],
    "boolean": ["valueBoolean"],
    "concept": ["valueCodeableConcept"],
}


def _route_json(route: Route) -> dict[str, Any]:
    out = {
        "system": route.system,
        "code": route.code,
        "display": route.display,
        "resource": route.resource,
        "source": route.source,
        "url": route.url,
    }
    if route.body_site:
        out["bodySite"] = {"system": route.body_site[0], "code": route.body_site[1]}
    return {k: v for k, v in out.items() if v is not None}


def _fraction(text: str) -> Fraction:
    """Parse ``"7/365.25"`` or ``"100"`` exactly (decimal parts allowed on both sides)."""
    top, _, bottom = text.partition("/")
    value = Fraction(Decimal(top))
    return value / Fraction(Decimal(bottom)) if bottom else value


def _text(graph: Graph, node: URIRef, prop: URIRef) -> str:
    value = graph.value(node, prop)
    return str(value) if value is not None else ""


def key_specs(context: CaseContext, ontology: Graph) -> dict[str, KeySpec]:
    """Return every case key with its unit and words from the ontology, in context order."""
    specs = {}
    for key, case_key in context.keys.items():
        prop = case_key.property
        unit = ontology.value(prop, NELM.factUnit)
        ucum = ontology.value(unit, QUDT.ucumCode) if unit is not None else None
        values = tuple(
            Value(
                code,
                str(iri),
                _text(ontology, iri, RDFS.label),
                _text(ontology, iri, SKOS.definition),
            )
            for code, iri in case_key.values.items()
        )
        specs[key] = KeySpec(
            key=key,
            property=str(prop),
            kind=case_key.kind,
            unit=str(ucum) if ucum is not None else None,
            label=_text(ontology, prop, RDFS.label),
            definition=_text(ontology, prop, SKOS.definition),
            values=values,
        )
    return specs


def build_mapping(context: CaseContext, ontology: Graph, path: Path | None = None) -> FhirMapping:
    """Build the mapping from the context, the ontology graph and ``mapping.toml``.

    Raises ValueError when a standard row names an unknown key or a resource it cannot carry,
    so a broken table stops start-up rather than a request.
    """
    with (path or MAPPING_FILE).open("rb") as handle:
        table = tomllib.load(handle)
    systems = table["systems"]
    keys = key_specs(context, ontology)
    routes = {
        (systems["case"], k): Route(k, "Observation", "observation-value", systems["case"], k)
        for k in keys
    }
    standard = []
    for row in table.get("standard", []):
        if row["key"] not in keys:
            raise ValueError(f"mapping.toml: unknown case key {row['key']!r}")
        expected = "condition-presence" if row["resource"] == "Condition" else "observation-value"
        if row["value"] != expected or (
            expected == "condition-presence" and keys[row["key"]].kind != "boolean"
        ):
            raise ValueError(f"mapping.toml: {row['code']}: {row['resource']} cannot carry it")
        site = row.get("body_site")
        route = Route(
            key=row["key"],
            resource=row["resource"],
            value=row["value"],
            system=row["system"],
            code=row["code"],
            display=row.get("display"),
            body_site=(site["system"], site["code"]) if site else None,
            source=row["source"],
            url=row.get("url"),
        )
        if (route.system, route.code) in routes:
            raise ValueError(f"mapping.toml: {route.system}|{route.code} is mapped twice")
        routes[(route.system, route.code)] = route
        standard.append(route)
    conversions = {(c["from"], c["to"]): _fraction(c["factor"]) for c in table["conversion"]}
    return FhirMapping(
        systems=systems,
        keys=keys,
        routes=routes,
        conversions=conversions,
        observation=table["observation"],
        condition=table["condition"],
        bundle_types=frozenset(table["bundle"]["types"]),
        standard=tuple(standard),
    )

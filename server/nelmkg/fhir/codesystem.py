"""The project's two FHIR CodeSystems, generated from the case format.

``case`` (``https://w3id.org/nelmkg/fhir/CodeSystem/case``) has one code per case key, the
plain-JSON key itself, with the fact's label and definition from the ontology and its kind
and UCUM unit as properties. ``case-value`` (``.../CodeSystem/case-value``) has one code per
allowed value of the categorical keys, the plain-JSON string itself; a value shared by two
keys (``unknown`` could be) appears once. Both are generated at start-up from the key table
(:func:`nelmkg.fhir.mapping.key_specs`), so they cannot drift from the format.
"""

from __future__ import annotations

from typing import Any

import nelmkg
from nelmkg.fhir.mapping import FhirMapping

NAMES = ("case", "case-value")
PROPERTIES = [
    {"code": "kind", "description": "number, integer, boolean or concept", "type": "code"},
    {"code": "unit", "description": "UCUM code of the value's unit", "type": "code"},
    {"code": "key", "description": "the case key this value belongs to", "type": "code"},
]


def _base(mapping: FhirMapping, name: str, title: str, description: str) -> dict[str, Any]:
    url = mapping.systems["case" if name == "case" else "case_value"]
    return {
        "resourceType": "CodeSystem",
        "id": f"nelmkg-{name}",
        "url": url,
        "version": nelmkg.__version__,
        "name": "Nelmkg" + "".join(p.capitalize() for p in name.split("-")),
        "title": title,
        "status": "active",
        "experimental": False,
        "publisher": "nelmkg",
        "description": description,
        "caseSensitive": True,
        "content": "complete",
    }


def case_codesystem(mapping: FhirMapping) -> dict[str, Any]:
    """Return the CodeSystem of the case keys."""
    concepts = []
    for spec in mapping.keys.values():
        props = [{"code": "kind", "valueCode": spec.kind}]
        if spec.unit:
            props.append({"code": "unit", "valueCode": spec.unit})
        concepts.append(
            {
                "code": spec.key,
                "display": spec.label,
                "definition": spec.definition or spec.label,
                "property": props,
            }
        )
    out = _base(
        mapping,
        "case",
        "nelmkg case facts",
        "The facts of the nelmkg case format; each code is a plain-JSON key.",
    )
    out["property"] = PROPERTIES[:2]
    out["count"] = len(concepts)
    out["concept"] = concepts
    return out


def value_codesystem(mapping: FhirMapping) -> dict[str, Any]:
    """Return the CodeSystem of the categorical facts' allowed values."""
    seen: dict[str, dict[str, Any]] = {}
    for spec in mapping.keys.values():
        for value in spec.values:
            concept = seen.setdefault(
                value.code,
                {
                    "code": value.code,
                    "display": value.label or value.code,
                    "definition": value.definition or value.label or value.code,
                    "property": [],
                },
            )
            concept["property"].append({"code": "key", "valueCode": spec.key})
    out = _base(
        mapping,
        "case-value",
        "nelmkg case values",
        "The allowed values of the categorical facts of the nelmkg case format; each code "
        "is the plain-JSON string.",
    )
    out["property"] = PROPERTIES[2:]
    out["count"] = len(seen)
    out["concept"] = list(seen.values())
    return out


def codesystems(mapping: FhirMapping) -> dict[str, dict[str, Any]]:
    """Return both CodeSystems by name (``case``, ``case-value``)."""
    return {"case": case_codesystem(mapping), "case-value": value_codesystem(mapping)}

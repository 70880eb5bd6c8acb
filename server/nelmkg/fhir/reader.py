"""A FHIR R4 Bundle read into a case: the same facts as plain JSON, with their sources.

:func:`read_bundle` bounds the document (:mod:`nelmkg.fhir.bounds`), validates it with the
FHIR models (:mod:`nelmkg.fhir.bundle`), finds its one Patient (the case id is
``Patient.id``) and reads every Observation and Condition whose code is mapped
(:mod:`nelmkg.fhir.mapping`). Rules: an absent fact is missing, never false; Observations
``entered-in-error`` or ``cancelled`` are ignored; of several for one fact the latest wins
and a different value at the same time is a conflict; resources and codes that are not
mapped are listed, never guessed. The facts then go through the plain-JSON reader
(:func:`nelmkg.cases.read.read_case`), so the case is checked exactly as plain JSON is, and
each fact keeps its source (``fullUrl`` and FHIRPath) in :attr:`Case.provenance`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rdflib import URIRef

from nelmkg.cases.context import CaseContext
from nelmkg.cases.model import Case
from nelmkg.cases.read import read_case
from nelmkg.fhir.bounds import check_bounds
from nelmkg.fhir.bundle import validate_bundle
from nelmkg.fhir.issues import BundleError, Issue, fail
from nelmkg.fhir.mapping import FhirMapping, Route
from nelmkg.fhir.patient import about_patient, age_fact, find_patient
from nelmkg.fhir.times import effective
from nelmkg.fhir.values import Reading, Skip, condition_presence, observation_value
from nelmkg.graph.jsonvalues import to_json

AGE_KEY = "age_years"


@dataclass(frozen=True)
class Candidate:
    """One value of one fact, from one entry."""

    key: str
    reading: Reading
    entry: int
    full_url: str | None
    when: datetime | None
    code: dict[str, str]


@dataclass(frozen=True)
class BundleCase:
    """A Bundle read as a case, with the mapping report (facts taken, entries ignored)."""

    case: Case
    report: dict[str, Any]


@dataclass
class _Scan:
    """What one pass over the entries found."""

    candidates: dict[str, list[Candidate]] = field(default_factory=dict)
    ignored: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ignore(self, index: int, entry: dict, reason: str) -> None:
        resource = entry.get("resource") or {}
        self.ignored.append(
            {
                "entry": index,
                "fullUrl": entry.get("fullUrl"),
                "resourceType": resource.get("resourceType"),
                "reason": reason,
            }
        )


def _codings(concept: Any) -> list[tuple[str, str]]:
    codings = concept.get("coding", []) if isinstance(concept, dict) else []
    return [(c.get("system", ""), c.get("code", "")) for c in codings if isinstance(c, dict)]


def _route(mapping: FhirMapping, concept: Any, resource_type: str, where: str) -> Route | None:
    """Return the one route of a CodeableConcept for this resource type (None if unmapped)."""
    routes = {r for s, c in _codings(concept) if (r := mapping.route(s, c)) is not None}
    routes = {r for r in routes if r.resource == resource_type}
    keys = {r.key for r in routes}
    if len(keys) > 1:
        raise fail(
            "fhir-data-problem",
            "code-invalid",
            f"the codings name different facts at once: {', '.join(sorted(keys))}",
            f"{where}.coding",
        )
    return min(routes, key=lambda r: (r.system, r.code)) if routes else None


def _observation(mapping: FhirMapping, scan: _Scan, index: int, entry: dict) -> None:
    resource = entry["resource"]
    base = f"Bundle.entry[{index}].resource"
    status = resource.get("status")
    if status not in mapping.observation["statuses"]:
        raise fail(
            "fhir-invalid-bundle",
            "code-invalid",
            f"unknown Observation.status {status!r}",
            f"{base}.status",
        )
    if status in mapping.observation["ignored_statuses"]:
        scan.ignore(index, entry, f"status {status}")
        return
    holders = [(resource, base)] + [
        (component, f"{base}.component[{i}]")
        for i, component in enumerate(resource.get("component") or [])
        if isinstance(component, dict)
    ]
    found = False
    for holder, where in holders:
        route = _route(mapping, holder.get("code"), "Observation", f"{where}.code")
        if route is None:
            continue
        if route.body_site and route.body_site not in _codings(resource.get("bodySite")):
            scan.ignore(
                index, entry, f"{route.code} is read only with bodySite {route.body_site[1]}"
            )
            found = True
            continue
        found = True
        reading = observation_value(mapping.keys[route.key], mapping, holder, where)
        _add(scan, index, entry, route, reading)
    if not found:
        scan.ignore(index, entry, "code not mapped: " + _shown(resource.get("code")))


def _condition(mapping: FhirMapping, scan: _Scan, index: int, entry: dict) -> None:
    resource = entry["resource"]
    base = f"Bundle.entry[{index}].resource"
    route = _route(mapping, resource.get("code"), "Condition", f"{base}.code")
    if route is None:
        scan.ignore(index, entry, "code not mapped: " + _shown(resource.get("code")))
        return
    _add(scan, index, entry, route, condition_presence(mapping, resource, base))


def _add(scan: _Scan, index: int, entry: dict, route: Route, reading: Reading | Skip) -> None:
    if isinstance(reading, Skip):
        scan.ignore(index, entry, f"{route.key}: {reading.reason}")
        return
    when, _ = effective(entry["resource"])
    scan.candidates.setdefault(route.key, []).append(
        Candidate(
            route.key,
            reading,
            index,
            entry.get("fullUrl"),
            when,
            {"system": route.system, "code": route.code},
        )
    )


def _shown(concept: Any) -> str:
    codes = [f"{s}|{c}" for s, c in _codings(concept)]
    return ", ".join(codes) or "no coding"


def _choose(key: str, found: list[Candidate], scan: _Scan, entries: list) -> Candidate:
    """Return the latest candidate; raise on different values at the latest time."""
    timed = [c for c in found if c.when is not None]
    pool = timed or found
    latest = max((c.when for c in pool), default=None) if timed else None
    top = [c for c in pool if c.when == latest]
    values = {repr(c.reading.value) for c in top}
    if len(values) > 1:
        issues = [
            Issue(
                "error",
                "conflict",
                f"{key} has {len(values)} different values at the same latest time "
                f"({latest.isoformat() if latest else 'no effective time'}); the service "
                "does not choose between them",
                c.reading.expression,
            )
            for c in top
        ]
        raise BundleError("fhir-data-problem", issues)
    chosen = top[0]
    for other in found:
        if other is not chosen:
            why = "same value" if other in top else "superseded by a later value"
            scan.ignore(other.entry, entries[other.entry], f"{key}: {why} (entry {chosen.entry})")
    return chosen


def read_bundle(
    doc: dict, mapping: FhirMapping, context: CaseContext, max_entries: int
) -> BundleCase:
    """Read a FHIR R4 Bundle (parsed JSON) as a case; raise BundleError for a data problem."""
    check_bounds(doc, max_entries)
    validate_bundle(doc)
    if doc.get("type") not in mapping.bundle_types:
        raise fail(
            "fhir-invalid-bundle",
            "code-invalid",
            f"unknown Bundle.type {doc.get('type')!r}",
            "Bundle.type",
        )
    entries = [e if isinstance(e, dict) else {} for e in doc.get("entry") or []]
    patient_index, patient = find_patient(entries)
    scan = _Scan()
    for index, entry in enumerate(entries):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType")
        if index == patient_index:
            continue
        if kind in ("Observation", "Condition") and not about_patient(resource, patient):
            scan.ignore(index, entry, "about another subject than the Bundle's Patient")
        elif kind == "Observation":
            _observation(mapping, scan, index, entry)
        elif kind == "Condition":
            _condition(mapping, scan, index, entry)
        else:
            scan.ignore(
                index, entry, f"resource type {kind} is not mapped" if kind else "no resource"
            )
    facts: dict[str, Any] = {}
    sources: dict[str, dict[str, Any]] = {}
    for key, found in scan.candidates.items():
        chosen = _choose(key, found, scan, entries)
        facts[key] = chosen.reading.value
        sources[key] = _source(chosen)
    if AGE_KEY not in facts:
        age = age_fact(doc, patient, patient_index, scan.notes)
        if age is not None:
            facts[AGE_KEY] = age.pop("value")
            sources[AGE_KEY] = age
    pid = patient["resource"].get("id")
    case = read_case({**({"id": pid} if pid else {}), **facts}, context)
    provenance = {URIRef(mapping.keys[k].property): s for k, s in sources.items()}
    report = {
        "bundle": {
            "type": doc.get("type"),
            "entries": len(entries),
            "timestamp": doc.get("timestamp"),
        },
        "patient": {"entry": patient_index, "fullUrl": patient.get("fullUrl"), "id": pid},
        "facts": [
            {"key": k, "value": to_json(facts[k]), **sources[k]} for k in mapping.keys if k in facts
        ],
        "ignored": sorted(scan.ignored, key=lambda i: i["entry"]),
        "notes": scan.notes,
    }
    case = dataclasses.replace(case, provenance=provenance, report=report)
    return BundleCase(case, report)


def _source(chosen: Candidate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "entry": chosen.entry,
        "fullUrl": chosen.full_url,
        "expression": chosen.reading.expression,
        "code": chosen.code,
    }
    if chosen.reading.converted_from:
        converted = chosen.reading.converted_from
        out["converted_from"] = {"value": to_json(converted["value"]), "unit": converted["unit"]}
    return out

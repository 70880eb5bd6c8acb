"""Treatment options from the eligibility shapes, and SHACL results read as four values.

Each ``shapes/eligibility/<option>.ttl`` holds one node shape annotated with
``elig:optionId`` and the criteria sets it assesses (``elig:criteriaSet``), optionally an
``elig:exception`` (a criteria set that can relax one criterion) and ``elig:selectsRegimen``
(the option picks the regimen of the set whose criteria are all met). Its property shapes are
``prov:wasDerivedFrom`` a criterion; an *ambiguity shape* is also derived from an ambiguity.

Per criterion: ``missing`` if its ``sh:minCount`` fired, else ``ambiguous`` if one of its
ambiguity shapes fired, else ``failed`` if its shape fired, else ``met``. Per option: any
failed -> ``not_eligible``, else any missing -> ``indeterminate``, else any ambiguous ->
``ambiguous``, else ``eligible``. Missing data is never ``not_eligible``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH
from rdflib.term import Node

from nelmkg.eligibility.criteria import CriterionInfo, ambiguity, criterion_info
from nelmkg.graph.jsonvalues import to_json
from nelmkg.graph.vocab import NELM

ELIG = Namespace("https://w3id.org/nelmkg/shapes/eligibility#")
# The annotation terms the eligibility shapes may use (a test refuses any other elig: term).
ELIG_TERMS = frozenset(
    {ELIG.optionId, ELIG.criteriaSet, ELIG.exception, ELIG.relaxes, ELIG.selectsRegimen}
)
PRECEDENCE = (("failed", "not_eligible"), ("missing", "indeterminate"), ("ambiguous", "ambiguous"))


@dataclass(frozen=True)
class Check:
    """A criterion, its property shape and its ambiguity shapes (shape -> ambiguity)."""

    info: CriterionInfo
    shape: URIRef
    ambiguity_shapes: dict[URIRef, URIRef]


@dataclass(frozen=True)
class Exception_:
    """A criteria set that can relax one criterion of the option when that criterion fails."""

    criteria_set: URIRef
    relaxes: URIRef
    hedge: URIRef | None  # an ambiguity on the set: relaxing then makes the result ambiguous


@dataclass(frozen=True)
class Option:
    """One treatment option: its criteria sets, checks, exceptions and regimens."""

    id: str
    shape: URIRef
    sets: tuple[URIRef, ...]
    checks: tuple[Check, ...]
    exceptions: tuple[Exception_, ...]
    regimens: dict[URIRef, tuple[str, URIRef, str]]  # set -> (status, therapy, label)
    order: int | None = None  # the clinical order of options (sh:order in shapes/options.ttl)
    label: str | None = None  # rdfs:label, for people


def _regimens(knowledge: Graph, sets: tuple[URIRef, ...]) -> dict:
    """Return each set's regimen; the status id is the therapy slug with underscores."""
    found = {}
    for cset in sets:
        therapy = knowledge.value(cset, NELM.yieldsRegimen)
        status = str(therapy).rstrip("/").rsplit("/", 1)[-1].replace("-", "_")
        found[cset] = (status, therapy, str(knowledge.value(therapy, RDFS.label)))
    return found


def load_option(shapes: Graph, knowledge: Graph, node: URIRef, names: dict) -> Option:
    """Read one option node shape and its property shapes; check every criterion has one."""
    sets = tuple(sorted(shapes.objects(node, ELIG.criteriaSet)))
    exceptions = tuple(
        sorted(
            (
                Exception_(
                    shapes.value(exc, ELIG.criteriaSet),
                    shapes.value(exc, ELIG.relaxes),
                    knowledge.value(shapes.value(exc, ELIG.criteriaSet), NELM.hasAmbiguity),
                )
                for exc in shapes.objects(node, ELIG.exception)
            ),
            key=lambda e: str(e.criteria_set),
        )
    )
    all_sets = [*sets, *(e.criteria_set for e in exceptions)]
    shape_of: dict[URIRef, URIRef] = {}
    ambiguity_shapes: dict[URIRef, dict[URIRef, URIRef]] = {}
    for prop_shape in shapes.objects(node, SH.property):
        sources = set(shapes.objects(prop_shape, PROV.wasDerivedFrom))
        crit = next(s for s in sources if (s, RDF.type, NELM.Criterion) in knowledge)
        amb = next((s for s in sources if (s, RDF.type, NELM.Ambiguity) in knowledge), None)
        if amb is None:
            shape_of[crit] = prop_shape
        else:
            ambiguity_shapes.setdefault(crit, {})[prop_shape] = amb
    checks = []
    for cset in all_sets:
        for crit in knowledge.subjects(NELM.inCriteriaSet, cset):
            if crit not in shape_of:
                raise ValueError(f"{node}: no property shape for criterion {crit}")
            info = criterion_info(knowledge, crit, names)
            checks.append(Check(info, shape_of[crit], ambiguity_shapes.get(crit, {})))
    checks.sort(key=lambda c: (all_sets.index(c.info.criteria_set), c.info.order))
    regimens = _regimens(knowledge, sets) if shapes.value(node, ELIG.selectsRegimen) else {}
    order, label = shapes.value(node, SH.order), shapes.value(node, RDFS.label)
    return Option(
        str(shapes.value(node, ELIG.optionId)),
        node,
        sets,
        tuple(checks),
        exceptions,
        regimens,
        int(order) if order is not None else None,
        str(label) if label is not None else None,
    )


def load_options(shapes: Graph, knowledge: Graph, names: dict) -> dict[str, Option]:
    """Return every option of the eligibility shapes graph in the clinical order (then by id)."""
    nodes = shapes.subjects(ELIG.optionId, None)
    options = [load_option(shapes, knowledge, n, names) for n in nodes]
    ranked = sorted(options, key=lambda o: (o.order is None, o.order or 0, o.id))
    return {o.id: o for o in ranked}


def status(results: list[str]) -> str:
    """Return an option status from criterion results (failed > missing > ambiguous)."""
    return next((s for r, s in PRECEDENCE if r in results), "eligible")


def _result(check: Check, fired: dict[URIRef, set[URIRef]]) -> tuple[str, URIRef | None]:
    components = fired.get(check.shape, set())
    if SH.MinCountConstraintComponent in components:
        return "missing", None
    amb = next((a for s, a in check.ambiguity_shapes.items() if s in fired), None)
    if amb is not None:
        return "ambiguous", amb
    return ("failed" if components else "met"), None


def _exception_result(results: dict, option: Option, exc: Exception_) -> tuple:
    """Return what one exception says: its own criteria, with the usual precedence.

    Failed if one of its criteria failed, else missing if a fact is missing; if all hold it is
    ambiguous when the exception set carries a hedge (an ambiguity on the set in the KG) or an
    exception criterion is ambiguous, else met.
    """
    inner = [results[c.info.iri] for c in option.checks if c.info.criteria_set == exc.criteria_set]
    kinds = [r for r, _ in inner]
    if "failed" in kinds or "missing" in kinds:
        return ("failed" if "failed" in kinds else "missing", None)
    amb = next((a for r, a in inner if r == "ambiguous"), exc.hedge)
    return ("ambiguous", amb) if amb is not None else ("met", None)


def _relax(results: dict, option: Option) -> None:
    """Apply the option's exceptions to the criteria they relax, where those criteria failed.

    Several exceptions relaxing one criterion are alternatives (any one suffices): the
    criterion is met if one exception is met, else ambiguous if one is ambiguous, else missing
    if one lacks a fact, else it stays failed. With one exception this is that exception's
    result.
    """
    relaxed = {e.relaxes for e in option.exceptions}
    for criterion in sorted(relaxed):
        if results[criterion][0] != "failed":
            continue
        found = [
            _exception_result(results, option, e)
            for e in option.exceptions
            if e.relaxes == criterion
        ]
        for wanted in ("met", "ambiguous", "missing"):
            hit = next((r for r in found if r[0] == wanted), None)
            if hit is not None:
                results[criterion] = hit
                break


def _regimen_status(option: Option, results: dict) -> tuple[str, dict | None]:
    per_set = {
        s: status([results[c.info.iri][0] for c in option.checks if c.info.criteria_set == s])
        for s in option.sets
    }
    chosen = next((s for s in option.sets if per_set[s] == "eligible"), None)
    if chosen is not None:
        name, therapy, label = option.regimens[chosen]
        return name, {"id": str(therapy), "label": label}
    if all(v == "not_eligible" for v in per_set.values()):
        return "not_applicable", None
    return ("indeterminate" if "indeterminate" in per_set.values() else "ambiguous"), None


def evaluate(
    option: Option,
    fired: dict[URIRef, set[URIRef]],
    values: Mapping[URIRef, tuple[Node, ...]],
    names: dict,
    ambiguities: dict[URIRef, dict],
    provenance: Mapping[URIRef, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return ``{"status", "criteria": [...]}`` (plus ``"regimen"``) for one option.

    ``values`` are the patient's facts (predicate -> objects; one each in a well-formed case).
    ``provenance`` (property -> source, for input that names its sources such as a FHIR
    Bundle) adds ``derived_from`` to the criteria whose fact has a source.
    """
    results = {c.info.iri: _result(c, fired) for c in option.checks}
    if option.exceptions:
        _relax(results, option)
    criteria = [
        c.info.entry(
            results[c.info.iri][0],
            to_json(next(iter(values.get(c.info.property, ())), None), names),
            ambiguities.get(results[c.info.iri][1]),
        )
        for c in option.checks
    ]
    if provenance:
        for check, entry in zip(option.checks, criteria, strict=True):
            source = provenance.get(check.info.property)
            if source is not None:
                entry["derived_from"] = dict(source)
    if option.regimens:
        name, regimen = _regimen_status(option, results)
        return {"status": name, "regimen": regimen, "criteria": criteria}
    counted = [results[c.info.iri][0] for c in option.checks if c.info.criteria_set in option.sets]
    return {"status": status(counted), "criteria": criteria}


def all_ambiguities(knowledge: Graph) -> dict[URIRef, dict]:
    """Return every ambiguity of the KG as ``{"id", "label", "explanation"}``, by IRI."""
    return {a: ambiguity(knowledge, a) for a in knowledge.subjects(RDF.type, NELM.Ambiguity)}

"""Random plain-JSON cases for the benchmark and the differential tests, from a fixed seed.

Every key and its range come from the case shapes (``shapes/case/``; ``sh:name`` is the JSON
key) and the allowed strings from the ontology's ``skos:notation``; numeric facts sit on, just
below or just above a threshold or undecided value the KG names for them
(``nelm:thresholdValue``, ``nelm:undecidedValue``) 70% of the time, anywhere in range
otherwise, and about 10% of the facts are left out. Nothing medical is written here.

With ``malformed > 0`` that share of the facts gets a value the case shapes refuse but the
JSON reader accepts (below or above the range, a negative count, an unknown categorical
string, a number far out of range): the cases then test the shapes, not the reader.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH, SKOS, XSD

from nelmkg.graph.vocab import NELM

# Upper ends for facts whose case shape has no maximum (only a minimum).
OPEN_MAXIMUM = {"age_years": 95, "largest_lesion_cm": 15, "months_stable_or_responsive": 60}
OPEN_MAXIMUM_DEFAULT = 30
NUDGES = (-1, -0.5, -0.1, 0, 0, 0.1, 0.5, 1)  # 0 twice: values on a boundary are the hard ones
# Exact decimals a hair's breadth from a boundary (passed as Decimal, kept exact).
HAIRS = (Decimal("-0.000000000000000000001"), Decimal("0.000000000000000000001"))
# Strings no categorical key allows; JSON-LD maps them in different ways (or drops them).
UNKNOWN_STRINGS = ("G4", "Well", "none ", "", "age_years", "nelm:GradeG9", "http://example.org/x")


@dataclass
class Fact:
    """One key of the plain case format, as the case shapes describe it."""

    key: str
    kind: str  # "boolean", "decimal", "integer" or "concept"
    low: float = 0
    high: float = 100
    low_open: bool = False
    bounded: bool = True  # the shape has a maximum
    choices: tuple[str, ...] = ()


def case_facts(case_shapes: Graph, ontology: Graph) -> list[Fact]:
    """Return the case format's facts from the case shapes (sh:name is the JSON key)."""
    facts = []
    for shape in case_shapes.subjects(RDF.type, SH.PropertyShape):
        key = str(case_shapes.value(shape, SH.name))
        datatype = case_shapes.value(shape, SH.datatype)
        members = case_shapes.value(shape, SH["in"])
        if members is not None:
            values = Graph.collection(case_shapes, members)
            notes = tuple(str(ontology.value(v, SKOS.notation)) for v in values)
            facts.append(Fact(key, "concept", choices=notes))
        elif datatype == XSD.boolean:
            facts.append(Fact(key, "boolean"))
        else:
            low = case_shapes.value(shape, SH.minInclusive) or case_shapes.value(
                shape, SH.minExclusive
            )
            high = case_shapes.value(shape, SH.maxInclusive)
            kind = "decimal" if datatype == XSD.decimal else "integer"
            top = OPEN_MAXIMUM.get(key, OPEN_MAXIMUM_DEFAULT)
            facts.append(
                Fact(
                    key,
                    kind,
                    low=float(low.toPython()) if low is not None else 0,
                    high=float(high.toPython()) if high is not None else top,
                    low_open=(shape, SH.minExclusive, None) in case_shapes,
                    bounded=high is not None,
                )
            )
    return sorted(facts, key=lambda f: f.key)


def boundaries(graph: Graph) -> dict[str, set[float]]:
    """Return, per JSON key, every threshold and undecided value the KG names for its fact."""
    found: dict[str, set[float]] = {}
    for crit, prop in graph.subject_objects(NELM.patientProperty):
        key = graph.value(prop, NELM.jsonKey)
        values = list(graph.objects(crit, NELM.thresholdValue))
        for amb in graph.objects(crit, NELM.hasAmbiguity):
            values += graph.objects(amb, NELM.undecidedValue)
        for value in values:
            if isinstance(value, Literal) and value.datatype != XSD.boolean:
                found.setdefault(str(key), set()).add(float(value.toPython()))
    return found


def generate(
    n: int,
    seed: int,
    facts: list[Fact],
    bounds: dict[str, set[float]],
    malformed: float = 0.0,
    prefix: str = "bench",
) -> list[dict]:
    """Return ``n`` random plain-JSON cases (about 10% of facts left out).

    ``malformed``: the share of facts given a value the case shapes refuse (default none).
    """
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        case: dict = {"id": f"{prefix}-{i + 1:04d}"}
        for fact in facts:
            if rng.random() < 0.1:
                continue
            near = sorted(bounds.get(fact.key, ()))
            if malformed and rng.random() < malformed:
                case[fact.key] = _bad_value(rng, fact)
            else:
                case[fact.key] = _value(rng, fact, near)
        cases.append(case)
    return cases


def _value(rng: random.Random, fact: Fact, near: list[float]):
    """Return a random value for ``fact``: near a KG boundary 70% of the time, else uniform."""
    if fact.kind == "boolean":
        return rng.random() < 0.5
    if fact.kind == "concept":
        return rng.choice(fact.choices)
    if near and rng.random() < 0.7:
        if fact.kind == "decimal" and rng.random() < 0.1:  # exact, a hair off the boundary
            hair = Decimal(repr(rng.choice(near))) + rng.choice(HAIRS)
            if fact.low < hair < fact.high:
                return hair
        nudge = rng.choice((-1, 0, 0, 1)) if fact.kind == "integer" else rng.choice(NUDGES)
        value = rng.choice(near) + nudge
    else:
        value = rng.uniform(fact.low, fact.high)
    value = min(max(value, fact.low), fact.high)
    if fact.kind == "integer":
        return int(round(value))
    number = round(value, 1)
    if fact.low_open and number <= fact.low:  # e.g. a lesion size must stay above 0
        number = round(fact.low + 0.1, 1)
    return int(number) if number == int(number) and rng.random() < 0.5 else number


def _bad_value(rng: random.Random, fact: Fact):
    """Return a value of the right JSON type that the case shapes refuse for ``fact``."""
    if fact.kind == "boolean":  # JSON has no ill-formed boolean the reader lets through
        return rng.random() < 0.5
    if fact.kind == "concept":
        return rng.choice(UNKNOWN_STRINGS)
    if fact.kind == "integer":
        return -rng.randint(1, 3)
    below = fact.low if fact.low_open else fact.low - rng.choice((0.1, 1, 50))
    choices = [below, 1e9]
    if fact.bounded:
        choices.append(fact.high + rng.choice((0.1, 1)))
    value = rng.choice(choices)
    return int(value) if value == int(value) else value


def json_line(case: dict) -> str:
    """Return a case as one line of JSON, exact decimals written as numbers (not strings)."""

    def value(v) -> str:
        return str(v) if isinstance(v, Decimal) else json.dumps(v)

    return "{" + ", ".join(f"{json.dumps(k)}: {value(v)}" for k, v in case.items()) + "}"

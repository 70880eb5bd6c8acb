"""Eligibility shapes agree with the criteria and ambiguities of the KG, shape by shape."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV, RDF, RDFS, SH

from nelmkg import paths
from nelmkg.eligibility.options import ELIG, ELIG_TERMS
from nelmkg.graph.dataset import parse_files
from nelmkg.graph.vocab import NELM

BOUNDS = (SH.minExclusive, SH.maxExclusive, SH.minInclusive, SH.maxInclusive)
# Operator -> the SHACL Core bounds that express it (EqualTo on a number: both inclusive).
OPERATOR_BOUNDS = {
    NELM.GreaterThan: (SH.minExclusive,),
    NELM.LessThan: (SH.maxExclusive,),
    NELM.AtLeast: (SH.minInclusive,),
    NELM.AtMost: (SH.maxInclusive,),
    NELM.EqualTo: (SH.minInclusive, SH.maxInclusive),
}
XSD_BOOLEAN = URIRef("http://www.w3.org/2001/XMLSchema#boolean")
ANNOTATIONS = {
    RDF.type,
    SH.path,
    SH.name,
    SH.message,
    PROV.wasDerivedFrom,
    SH.minCount,
    SH.severity,
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse_files(paths.shape_files("eligibility"))


def property_shapes(shapes: Graph) -> list[URIRef]:
    return sorted(s for s in shapes.subjects(SH.path, None))


def number(term) -> Decimal:
    return Decimal(str(term))


def sh_in(shapes: Graph, node) -> set:
    return set(Collection(shapes, shapes.value(node, SH["in"])))


def bounds(shapes: Graph, node) -> dict:
    return {p: number(shapes.value(node, p)) for p in BOUNDS if shapes.value(node, p) is not None}


def sources(shapes: Graph, kg: Graph, shape, kind) -> list:
    return [s for s in shapes.objects(shape, PROV.wasDerivedFrom) if (s, RDF.type, kind) in kg]


def test_one_file_per_option(shapes, option_ids):
    """One generated file per option of the edited source, shapes/options.ttl."""
    files = {p.stem for p in paths.shape_files("eligibility")}
    ids = {str(i) for i in shapes.objects(None, ELIG.optionId)}
    assert option_ids and files == ids == option_ids


def test_only_known_annotation_terms(shapes):
    used = {p for p in shapes.predicates() if str(p).startswith(str(ELIG))}
    assert used <= ELIG_TERMS, used - ELIG_TERMS


def test_shacl_core_only():
    graph = parse_files(paths.shape_files("case", "eligibility"))
    advanced = {SH.sparql, SH.select, SH.ask, SH.rule, SH.target, SH.js}
    assert not [t for t in graph if t[1] in advanced or t[2] == SH.SPARQLConstraint]


def test_every_criteria_set_is_assessed(shapes, kg):
    assessed = set(shapes.objects(None, ELIG.criteriaSet))
    assert set(kg.subjects(RDF.type, NELM.CriteriaSet)) == assessed


def test_every_criterion_has_a_shape_in_its_option(shapes, kg):
    for option in shapes.subjects(ELIG.optionId, None):
        sets = set(shapes.objects(option, ELIG.criteriaSet))
        sets |= {shapes.value(e, ELIG.criteriaSet) for e in shapes.objects(option, ELIG.exception)}
        derived = {
            d
            for p in shapes.objects(option, SH.property)
            for d in shapes.objects(p, PROV.wasDerivedFrom)
        }
        for cset in sets:
            criteria = set(kg.subjects(NELM.inCriteriaSet, cset))
            assert criteria, cset
            assert criteria <= derived, criteria - derived


def test_property_shapes_are_named_and_sourced(shapes, kg):
    found = property_shapes(shapes)
    assert found
    for shape in found:
        assert isinstance(shape, URIRef) and not isinstance(shape, BNode)
        assert shapes.value(shape, SH.name) and shapes.value(shape, SH.message), shape
        assert len(sources(shapes, kg, shape, NELM.Criterion)) == 1, shape
        assert (None, SH.property, shape) in shapes, f"{shape} belongs to no option"


def test_criterion_shapes_agree_with_criteria(shapes, kg, option_criteria):
    checked = 0
    for shape in property_shapes(shapes):
        if sources(shapes, kg, shape, NELM.Ambiguity):
            continue
        crit = sources(shapes, kg, shape, NELM.Criterion)[0]
        assert shapes.value(shape, SH.path) == kg.value(crit, NELM.patientProperty), shape
        assert str(shapes.value(shape, SH.name)) == str(kg.value(crit, RDFS.label)), shape
        assert shapes.value(shape, SH.minCount) == Literal(1)
        assert shapes.value(shape, SH.severity) is None
        op, value = kg.value(crit, NELM.operator), kg.value(crit, NELM.thresholdValue)
        concepts = set(kg.objects(crit, NELM.requiredConcept))
        if concepts or (value is not None and value.datatype == XSD_BOOLEAN):
            assert sh_in(shapes, shape) == (concepts or {value}), shape
            assert not bounds(shapes, shape), shape
        else:
            expected = {p: number(value) for p in OPERATOR_BOUNDS[op]}
            assert bounds(shapes, shape) == expected, shape
            assert shapes.value(shape, SH["in"]) is None
        extra = set(shapes.predicates(shape)) - ANNOTATIONS - set(BOUNDS) - {SH["in"]}
        assert not extra, (shape, extra)
        checked += 1
    # one criterion shape per criterion of each option's criteria sets (shapes/options.ttl)
    assert checked == sum(map(len, option_criteria.values()))


def _undecided(shapes: Graph, shape) -> tuple[set, set]:
    values, concepts = set(), set()
    for inner in shapes.objects(shape, SH["not"]):
        if shapes.value(inner, SH["in"]) is not None:
            concepts |= sh_in(shapes, inner)
        else:
            b = bounds(shapes, inner)
            assert set(b) == {SH.minInclusive, SH.maxInclusive}, shape
            assert b[SH.minInclusive] == b[SH.maxInclusive], "compare one value numerically"
            values.add(b[SH.minInclusive])
    return values, concepts


def takes(data: Graph, crit, concepts) -> set:
    """Return the concepts the criterion's patient fact can take (members of its range)."""
    allowed = data.value(data.value(crit, NELM.patientProperty), RDFS.range)
    return {c for c in concepts if (c, RDF.type, allowed) in data}


def test_ambiguity_shapes_agree_with_ambiguities(shapes, kg, data):
    covered = set()
    for shape in property_shapes(shapes):
        ambs = sources(shapes, kg, shape, NELM.Ambiguity)
        if not ambs:
            continue
        (amb,), crit = ambs, sources(shapes, kg, shape, NELM.Criterion)[0]
        assert (crit, NELM.hasAmbiguity, amb) in kg, shape
        assert shapes.value(shape, SH.severity) == SH.Warning, shape
        assert shapes.value(shape, SH.path) == kg.value(crit, NELM.patientProperty), shape
        assert shapes.value(shape, SH.minCount) is None, "a missing fact is never ambiguous"
        values, concepts = _undecided(shapes, shape)
        if kg.value(amb, NELM.ambiguityKind) == NELM.ApproximateThreshold:
            # "~N" as a ceiling with no tolerance: every value above N is undecided.
            assert kg.value(crit, NELM.operator) == NELM.AtMost
            ceiling = number(kg.value(crit, NELM.thresholdValue))
            assert bounds(shapes, shape) == {SH.maxInclusive: ceiling}
        else:
            assert values == {number(v) for v in kg.objects(amb, NELM.undecidedValue)}, shape
            # An ambiguity may leave values of several facts undecided (e.g. a grade and a
            # differentiation): the shape carries those its own fact can take.
            assert concepts == takes(data, crit, kg.objects(amb, NELM.undecidedConcept)), shape
            assert values or concepts, shape
        covered.add((crit, amb))
    expected = {
        (c, a)
        for c, a in kg.subject_objects(NELM.hasAmbiguity)
        if (c, RDF.type, NELM.Criterion) in kg
        and (
            kg.value(a, NELM.undecidedValue) is not None
            or takes(data, c, kg.objects(a, NELM.undecidedConcept))
            or kg.value(a, NELM.ambiguityKind) == NELM.ApproximateThreshold
        )
    }
    assert covered == expected

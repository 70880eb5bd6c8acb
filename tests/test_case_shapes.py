"""The case shapes agree with the ontology's patient vocabulary and the documented ranges."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from nelmkg import paths
from nelmkg.graph.dataset import parse_files
from nelmkg.graph.vocab import NELM

# The case format's ranges, by the ending of the JSON key (docs/case-format.md).
RANGES = {
    "_pct": {SH.minInclusive: 0, SH.maxInclusive: 100},
    "_pct_slv": {SH.minInclusive: 0, SH.maxInclusive: 100},
    "_cm": {SH.minExclusive: 0},
    "_count": {SH.minInclusive: 0},
    "_years": {SH.minInclusive: 0},
    "_responsive": {SH.minInclusive: 0},
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse_files(paths.shape_files("case"))


def facts(ontology: Graph) -> dict[URIRef, str]:
    return {p: str(k) for p, k in ontology.subject_objects(NELM.jsonKey)}


def shape_for(shapes: Graph, prop: URIRef) -> URIRef:
    (shape,) = set(shapes.subjects(SH.path, prop))
    return shape


def test_patient_node_shape_is_closed(shapes, ontology):
    (node,) = set(shapes.subjects(SH.targetClass, NELM.Patient))
    assert shapes.value(node, SH.closed) == Literal(True)
    assert list(Collection(shapes, shapes.value(node, SH.ignoredProperties))) == [RDF.type]
    listed = {shapes.value(p, SH.path) for p in shapes.objects(node, SH.property)}
    assert listed == set(facts(ontology))


def test_one_named_shape_per_fact(shapes, ontology):
    assert facts(ontology)  # the ontology's patient facts (nelm:jsonKey) are the source
    assert len(set(shapes.subjects(SH.path, None))) == len(facts(ontology))
    for prop, key in facts(ontology).items():
        shape = shape_for(shapes, prop)
        assert isinstance(shape, URIRef)
        assert str(shapes.value(shape, SH.name)) == key
        assert key in str(shapes.value(shape, SH.message))
        assert shapes.value(shape, SH.maxCount) == Literal(1)
        assert shapes.value(shape, SH.minCount) is None, "every fact is optional"


def test_datatypes_and_values_match_the_ontology(shapes, ontology):
    for prop in facts(ontology):
        shape, rng = shape_for(shapes, prop), ontology.value(prop, RDFS.range)
        if (prop, RDF.type, OWL.ObjectProperty) in ontology:
            members = Collection(
                ontology, ontology.value(ontology.value(rng, OWL.equivalentClass), OWL.oneOf)
            )
            assert set(Collection(shapes, shapes.value(shape, SH["in"]))) == set(members)
            assert shapes.value(shape, SH.datatype) is None
        else:
            assert shapes.value(shape, SH.datatype) == rng, prop


def test_ranges_follow_the_case_format(shapes, ontology):
    bounded = set()
    for prop, key in facts(ontology).items():
        shape = shape_for(shapes, prop)
        found = {
            p: Decimal(str(shapes.value(shape, p)))
            for p in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive)
            if shapes.value(shape, p) is not None
        }
        rule = next((r for end, r in RANGES.items() if key.endswith(end)), {})
        assert found == {p: Decimal(v) for p, v in rule.items()}, key
        bounded |= {key} if rule else set()
    numeric = {
        k
        for p, k in facts(ontology).items()
        if (prop_range := ontology.value(p, RDFS.range)) is not None
        and str(prop_range).endswith(("decimal", "Integer"))
    }
    assert bounded == numeric, "every number has a documented range"

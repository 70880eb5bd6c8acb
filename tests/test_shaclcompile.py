"""The SHACL subset the compiled engine supports (:mod:`nelmkg.shacl.compile`), and only it.

Our shapes compile; one example of every construct outside the subset is refused at start-up
with an error naming it; and the supported constructs our shapes do not happen to use (class
targets through ``rdfs:subClassOf``, constraints on a node shape itself, ``sh:Info``,
``sh:property`` inside ``sh:not``, literals in ``sh:in``, ``sh:ignoredProperties``) give the
results pySHACL gives on a small graph written for them.
"""

from __future__ import annotations

from collections import Counter

import pytest
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import SH

from nelmkg import paths
from nelmkg.graph.dataset import parse_files
from nelmkg.shacl.compiled import CompiledShapes, UnsupportedShapes
from nelmkg.shacl.pyshacl_engine import _from_graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse_files(paths.shape_files("case", "eligibility"))


@pytest.fixture(scope="module")
def compiled(shapes) -> CompiledShapes:
    return CompiledShapes(shapes)


def test_repository_shapes_compile(compiled, shapes):
    assert len(compiled.targets) == len(set(shapes.subjects(SH.targetClass, None))) == 11
    reporting = {s for s in shapes.subjects(SH.message, None)}
    assert set(compiled.messages) == reporting


PREFIXES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <urn:example:> .
"""
PROPERTY = (
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .\n"
    'ex:P sh:path ex:p ; sh:message "m" ; '
)
# Shapes the compiled engine must refuse at start-up: (Turtle, what the error names).
UNSUPPORTED = {
    "sh:or": (PROPERTY + "sh:or ( [ sh:datatype xsd:string ] ) .", "sh:or"),
    "sh:and": (PROPERTY + "sh:and ( [ sh:datatype xsd:string ] ) .", "sh:and"),
    "sh:class": (PROPERTY + "sh:class ex:D .", "sh:class"),
    "sh:hasValue": (PROPERTY + "sh:hasValue ex:v .", "sh:hasValue"),
    "sh:nodeKind": (PROPERTY + "sh:nodeKind sh:IRI .", "sh:nodeKind"),
    "sh:pattern": (PROPERTY + 'sh:pattern "^a" .', "sh:pattern"),
    "sh:node": (PROPERTY + "sh:node ex:S .", "sh:node"),
    "sh:deactivated": (PROPERTY + "sh:deactivated true .", "sh:deactivated"),
    "sh:targetNode": ('ex:S sh:targetNode ex:a ; sh:message "m" .', "sh:targetNode"),
    "sh:targetSubjectsOf": ("ex:S sh:targetSubjectsOf ex:p .", "sh:targetSubjectsOf"),
    "SHACL-SPARQL": ('ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "x" ] .', "sh:sparql"),
    "custom component": ("ex:K a sh:ConstraintComponent .", "sh:ConstraintComponent"),
    "sequence path": (
        "ex:S sh:targetClass ex:C ; sh:property ex:P .\nex:P sh:path ( ex:p ex:q ) ; "
        'sh:minCount 1 ; sh:message "m" .',
        "single IRI",
    ),
    "unknown datatype": (PROPERTY + "sh:datatype xsd:date .", "datatype"),
    "two sh:maxCount": (PROPERTY + "sh:maxCount 1 , 2 .", "wants one"),
    "fractional sh:minCount": (PROPERTY + "sh:minCount 1.5 .", "integer"),
    "sh:minCount on a node shape": (
        'ex:S sh:targetClass ex:C ; sh:minCount 1 ; sh:message "m" .',
        "property shape",
    ),
    "non-numeric threshold": (PROPERTY + 'sh:minInclusive "a" .', "numeric"),
    "sh:in not a list": (PROPERTY + "sh:in ex:v .", "RDF list"),
    "unknown severity": (PROPERTY + "sh:severity ex:Bad ; sh:minCount 1 .", "severity"),
    "sh:closed on a property shape": (PROPERTY + "sh:closed true .", "sh:closed"),
    "sh:closed not a boolean": ('ex:S sh:targetClass ex:C ; sh:closed "yes" .', "true or false"),
    "sh:property without sh:path": (
        'ex:S sh:targetClass ex:C ; sh:property ex:P .\nex:P sh:in ( 1 ) ; sh:message "m" .',
        "no sh:path",
    ),
    "sh:not pointing at nothing": (PROPERTY + "sh:not ex:Nothing .", "not a shape"),
    "blank reporting shape": (
        "ex:S sh:targetClass ex:C ; "
        'sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "m" ] .',
        "IRI and sh:message",
    ),
    "reporting shape without message": (
        "ex:S sh:targetClass ex:C ; sh:property ex:P .\nex:P sh:path ex:p ; sh:minCount 1 .",
        "IRI and sh:message",
    ),
    "recursion through sh:not": (
        'ex:S sh:targetClass ex:C ; sh:message "m" ; sh:not ex:T .\nex:T sh:not ex:S .',
        "recursion",
    ),
    "implicit class target": (
        'ex:C a rdfs:Class , sh:NodeShape ; sh:datatype xsd:string ; sh:message "m" .',
        "implicit target",
    ),
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_construct_is_refused(name):
    turtle, named = UNSUPPORTED[name]
    graph = Graph().parse(data=PREFIXES + turtle, format="turtle")
    with pytest.raises(UnsupportedShapes, match=named.replace("(", r"\(")):
        CompiledShapes(graph)


TOY_SHAPES = """
ex:Thing a sh:NodeShape ; sh:targetClass ex:Animal ;
    sh:closed true ; sh:ignoredProperties ( rdf:type ex:note ) ;
    sh:not ex:Tiny ;
    sh:message "a thing" ;
    sh:property ex:legs , ex:colour , ex:weight .
ex:Tiny sh:property [ sh:path ex:weight ; sh:maxInclusive 1 ; sh:minCount 1 ] .
ex:legs sh:path ex:legs ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ;
    sh:minInclusive 0 ; sh:maxExclusive 9 ; sh:message "legs" .
ex:colour sh:path ex:colour ; sh:in ( "red" "blue"@en ex:Green 1 ) ; sh:severity sh:Info ;
    sh:message "colour" , "Farbe"@de .
ex:weight sh:path ex:weight ; sh:datatype xsd:decimal ; sh:severity sh:Warning ;
    sh:not [ sh:minExclusive 100 ] ; sh:message "weight" .
ex:Label a sh:NodeShape ; sh:targetClass ex:Named ; sh:datatype xsd:string ;
    sh:message "a node shape on the focus node itself" .
"""
TOY_DATA = """
ex:Dog rdfs:subClassOf ex:Mammal . ex:Mammal rdfs:subClassOf ex:Animal .
ex:rex a ex:Dog ; ex:legs 4 ; ex:colour "red" ; ex:weight 30.5 ; ex:note "good" .
ex:flea a ex:Animal ; ex:legs 6 , 7 ; ex:colour "blue" ; ex:weight 0.5 ; ex:wings 0 .
ex:cod a ex:Animal ; ex:legs -1 ; ex:colour "blue"@en , ex:Green , 1 , "1" ; ex:weight 150 .
ex:snail a ex:Animal ; ex:legs 9.0 ; ex:colour "Red" ; ex:weight "heavy" .
ex:ghost a ex:Animal .
ex:rex a ex:Named .
"""
TOY_PREFIXES = PREFIXES + "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"


def test_supported_constructs_match_pyshacl():
    shapes = Graph().parse(data=TOY_PREFIXES + TOY_SHAPES, format="turtle")
    data = Graph().parse(data=TOY_PREFIXES + TOY_DATA, format="turtle")
    ours = CompiledShapes(shapes).validate(data).results
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none")
    fields = ("focus", "shape", "component", "severity", "path", "value", "message")
    as_keys = Counter(tuple(getattr(r, f) for f in fields) for r in ours)
    assert as_keys == Counter(tuple(getattr(r, f) for f in fields) for r in _from_graph(report))
    assert {r.component for r in ours} >= {
        SH.ClosedConstraintComponent,
        SH.NotConstraintComponent,
        SH.MaxCountConstraintComponent,
        SH.MinCountConstraintComponent,
        SH.DatatypeConstraintComponent,
        SH.InConstraintComponent,
        SH.MinInclusiveConstraintComponent,
        SH.MaxExclusiveConstraintComponent,
    }
    assert {r.severity for r in ours} == {SH.Violation, SH.Warning, SH.Info}

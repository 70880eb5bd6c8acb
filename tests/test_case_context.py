"""The case JSON-LD context agrees with the ontology and the docs, and is never fetched."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from nelmkg import paths
from nelmkg.cases.context import CASE_BASE, CONTEXT_IRI, load_context
from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.read import read_case
from nelmkg.graph.vocab import NELM

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
SAMPLE = {
    "id": "case-01",
    "age_years": 52,
    "largest_lesion_cm": 2.5,
    "liver_lesion_count": 3,
    "bilobar": False,
    "differentiation": "well",
    "who_grade": "G3",
}


@pytest.fixture(scope="module")
def context():
    return load_context()


def json_keys(ontology: Graph) -> dict[str, URIRef]:
    return {str(k): p for p, k in ontology.subject_objects(NELM.jsonKey)}


def test_every_json_key_is_in_the_context(context, ontology):
    keys = json_keys(ontology)
    assert keys  # the ontology's nelm:jsonKey annotations are the source
    assert set(context.keys) == set(keys)
    for key, prop in keys.items():
        assert context.keys[key].property == prop, key


def test_context_datatypes_and_values_agree_with_the_ontology(context, ontology):
    for key, prop in json_keys(ontology).items():
        entry, rng = context.keys[key], ontology.value(prop, RDFS.range)
        if (prop, RDF.type, OWL.ObjectProperty) in ontology:
            members = Collection(
                ontology, ontology.value(ontology.value(rng, OWL.equivalentClass), OWL.oneOf)
            )
            expected = {str(ontology.value(m, SKOS.notation)): m for m in members}
            assert entry.kind == "concept" and entry.values == expected, key
        else:
            assert entry.datatype == rng, key


def test_context_is_versioned_and_names_the_case_base(context):
    assert CONTEXT_IRI.endswith("/case-v1.jsonld")
    assert paths.case_context_file().name == CONTEXT_IRI.rsplit("/", 1)[1]
    assert context.document["@version"] == 1.1
    assert context.base == CASE_BASE and context.id_key == "id"


def test_every_json_key_is_documented(ontology):
    text = (paths.root() / "docs" / "case-format.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9_]+)` \|.*\(`nelm:(\w+)`\) \|$", text, flags=re.MULTILINE)
    documented = {key: NELM[local] for key, local in rows}
    assert documented == json_keys(ontology), "one row per key, naming its property"


def test_plain_json_becomes_typed_rdf(context):
    case = read_case(SAMPLE, context)
    node = URIRef(CASE_BASE + "case-01")
    assert case.node == node and case.id == "case-01"
    assert (node, RDF.type, NELM.Patient) in case.graph
    decimal, count = URIRef(XSD_NS + "decimal"), URIRef(XSD_NS + "nonNegativeInteger")
    assert case.graph.value(node, NELM.ageYears) == Literal("52", datatype=decimal)
    assert case.graph.value(node, NELM.largestLesionCm) == Literal("2.5", datatype=decimal)
    assert case.graph.value(node, NELM.liverLesionCount) == Literal("3", datatype=count)
    assert case.graph.value(node, NELM.bilobar) == Literal(False)
    assert case.graph.value(node, NELM.differentiation) == NELM.WellDifferentiated
    assert case.graph.value(node, NELM.whoGrade) == NELM.GradeG3
    assert len(case.graph) == len(SAMPLE)  # the type plus one triple per fact


def test_published_context_gives_the_same_graph(context):
    doc = {"@context": CONTEXT_IRI, "@type": "Patient", **SAMPLE}
    assert isomorphic(read_case(doc, context).graph, read_case(SAMPLE, context).graph)
    listed = {"@context": [CONTEXT_IRI], "@type": "Patient", **SAMPLE}
    assert isomorphic(read_case(listed, context).graph, read_case(SAMPLE, context).graph)


@pytest.fixture
def no_network(monkeypatch):
    """Make any attempt of rdflib to load a document fail the test."""
    import rdflib.plugins.parsers.jsonld as jsonld_parser
    import rdflib.plugins.shared.jsonld.context as jsonld_context

    def refuse(*args, **kwargs):
        raise AssertionError(f"tried to fetch {args[:1]}")

    monkeypatch.setattr(jsonld_context, "source_to_json", refuse)
    monkeypatch.setattr(jsonld_parser, "source_to_json", refuse)


def test_published_context_is_not_fetched(context, no_network):
    doc = json.dumps({"@context": CONTEXT_IRI, "@type": "Patient", **SAMPLE})
    assert read_case(doc, context, "application/ld+json").id == "case-01"


@pytest.mark.parametrize(
    "ctx",
    [
        "https://example.org/context.jsonld",
        "file:///etc/passwd",
        "case-v1.jsonld",
        [CONTEXT_IRI, "https://example.org/more.jsonld"],
        {"@import": CONTEXT_IRI},
        {"x": {"@id": "https://example.org/x", "@context": "https://example.org/scoped.jsonld"}},
    ],
)
def test_other_contexts_are_refused(context, no_network, ctx):
    with pytest.raises(CaseInputError) as caught:
        read_case({"@context": ctx, "@type": "Patient", "id": "x"}, context)
    assert caught.value.kind == "remote-context" and caught.value.status == 422


def test_nested_context_is_resolved_locally(context, no_network):
    doc = {
        "@context": {"nelm": str(NELM)},
        "@graph": [{"@context": CONTEXT_IRI, "@type": "Patient", "id": "nested", "ki67_pct": 12}],
    }
    case = read_case(doc, context)
    assert case.graph.value(case.node, NELM.ki67Percent) == Literal(
        "12", datatype=URIRef(XSD_NS + "decimal")
    )

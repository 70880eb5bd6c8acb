"""The fast SHACL runner reports exactly what a plain ``pyshacl.validate()`` reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from nelmkg import paths
from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.read import SUFFIX_TYPES
from nelmkg.graph.dataset import parse_files
from nelmkg.shacl.pyshacl_engine import ShapesRunner, _from_graph, _ParameterList

CASES_DIR = Path(__file__).resolve().parent / "data" / "cases"

TYPES = SUFFIX_TYPES


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse_files(paths.shape_files("case", "eligibility"))


@pytest.fixture(scope="module")
def runner(shapes) -> ShapesRunner:
    return ShapesRunner(shapes)


def readable_cases(assessor) -> list[Graph]:
    graphs = []
    for path in sorted(CASES_DIR.iterdir()):
        if path.suffix in TYPES:
            try:
                graphs.append(assessor.read(path.read_bytes(), TYPES[path.suffix]).graph)
            except CaseInputError:
                continue
    return graphs


def as_set(results) -> set:
    return {(r.shape, r.component, r.severity, r.path, r.value, r.message) for r in results}


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")  # bad-boolean-literal.ttl
def test_results_equal_plain_pyshacl(assessor, shapes, runner, case_entries):
    graphs = readable_cases(assessor)
    # every case the manifest does not expect to be refused is read
    assert len(graphs) == len([e for e in case_entries if "error" not in e])
    for graph in graphs:
        _conforms, plain, _text = validate(graph, shacl_graph=shapes, inference="none")
        outcome = runner.validate(graph)
        assert as_set(outcome.results) == as_set(_from_graph(plain))
        assert as_set(_from_graph(outcome.graph)) == as_set(outcome.results)


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")  # bad-boolean-literal.ttl
def test_report_graph_is_a_validation_report(assessor, runner):
    graph = readable_cases(assessor)[0]
    report = runner.validate(graph).graph
    (node,) = set(report.subjects(RDF.type, SH.ValidationReport))
    results = set(report.objects(node, SH.result))
    assert len(results) == len(runner.validate(graph).results)


def test_only_targeted_shapes_start_a_validation(runner, option_ids):
    roots = {URIRef(s) for s in runner._options["use_shapes"]}
    assert roots == set(runner.graph.subjects(SH.targetClass, None))
    assert len(roots) == 1 + len(option_ids)  # the case shape and one per option


def test_parameter_list_answers_like_a_list():
    items = [URIRef("urn:a"), URIRef("urn:b")]
    fast = _ParameterList(items)
    assert URIRef("urn:a") in fast and URIRef("urn:c") not in fast
    assert fast == items and type(fast.copy()) is list

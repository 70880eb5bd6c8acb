"""The named query library (queries/evidence/): every query answers its example as expected.

Each query is run over the served dataset with its first ``#+ example:`` bound through
``initBindings`` (parsed by :mod:`nelmkg.graph.params`, as the service parses it) and compared with
``tests/data/evidence/<name>.json``. CONSTRUCT queries have their own test module instead.
Each expected answer either rests on review sentences quoted in the query's ``#+ source:``
header or says in its file that it is a regression snapshot of the KG, and why.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from nelmkg import paths
from nelmkg.graph.checks import normalise
from nelmkg.graph.params import ParamError, parse_bindings, parse_example, parse_param
from nelmkg.graph.queries import load_query, read_header
from nelmkg.testing.oracle import compare

MIN_EVIDENCE_QUERIES = 25
EXPECTED = Path(__file__).parent / "data" / "evidence"
# Queries whose result is a graph, each checked by its own module.
DEDICATED = {"web-annotations": "tests/test_web_annotations.py"}
FILES = sorted(paths.queries_dir("evidence").glob("*.rq"))
ANSWERED = [f for f in FILES if f.stem not in DEDICATED]


def test_library_size():
    assert len(FILES) >= MIN_EVIDENCE_QUERIES


def test_every_expected_answer_has_a_query():
    names = {f.stem for f in FILES}
    orphans = sorted(p.name for p in EXPECTED.glob("*.json") if p.stem not in names)
    assert not orphans, f"expected answers without a query: {orphans}"


@pytest.mark.parametrize("rq_path", FILES, ids=[f.stem for f in FILES])
def test_parameters_are_declared_used_and_exemplified(rq_path):
    """Every declared parameter is a variable of the query and is bound by the first example."""
    query = load_query(rq_path)
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
    for name in query.params:
        assert re.search(rf"[?$]{name}\b", body), f"{query.name}: ?{name} not in the query"
    if query.params:
        assert query.examples, f"{query.name}: parameterised query without an #+ example:"
        assert set(parse_example(query.examples[0], query.params)) == set(query.params)


@pytest.mark.parametrize("rq_path", ANSWERED, ids=[f.stem for f in ANSWERED])
def test_evidence_answer(dataset, rq_path):
    query = load_query(rq_path)
    expected_file = EXPECTED / f"{query.name}.json"
    assert expected_file.is_file(), f"missing expected answer {paths.relative(expected_file)}"
    bindings = parse_example(query.examples[0], query.params) if query.examples else {}
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    differences = compare(expected, dataset.query(query.prepared, initBindings=bindings))
    assert not differences, f"{query.name} {bindings}:\n" + "\n".join(differences)


@pytest.mark.parametrize("rq_path", ANSWERED, ids=[f.stem for f in ANSWERED])
def test_expected_answer_rests_on_the_review_or_says_it_is_a_snapshot(rq_path, review_text):
    """The answer is traceable: the query's ``#+ source:`` quotes the review sentences it rests
    on (each quoted "..." fragment verbatim in the review), or the expected-answer file says
    why it is a regression snapshot of the KG (``"regression_snapshot": "why"``)."""
    headers = read_header(rq_path.read_text(encoding="utf-8"))
    quoted = [q for line in headers.get("source", []) for q in re.findall(r'"([^"]+)"', line)]
    expected = json.loads((EXPECTED / f"{rq_path.stem}.json").read_text(encoding="utf-8"))
    why = expected.get("regression_snapshot")
    assert quoted or why, f"{rq_path.name}: no '#+ source:' quote and no regression_snapshot"
    if why is not None:
        assert isinstance(why, str) and len(why.split()) >= 5, "say why it is a snapshot"
    missing = [q for q in quoted if normalise(q) not in review_text]
    assert not missing, f"{rq_path.name}: quoted but not in the review: {missing}"


def test_unbound_parameter_answers_for_every_value(dataset):
    """Without a binding a parameterised query lists every therapy, not none."""
    query = load_query(paths.queries_dir("evidence") / "evidence-for-therapy.rq")
    bound = len(dataset.query(query.prepared, initBindings=parse_example(query.examples[0])))
    unbound = len(dataset.query(query.prepared))
    assert unbound > bound > 0


ID = "https://w3id.org/nelmkg/id/"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://w3id.org/nelmkg/id/reference/22", URIRef(ID + "reference/22")),
        ("<https://w3id.org/nelmkg/id/reference/22>", URIRef(ID + "reference/22")),
        ("urn:example:x", URIRef("urn:example:x")),
        ("ref:22", URIRef(ID + "reference/22")),
        ("th:tare", URIRef(ID + "therapy/tare")),
        ("nelm:SystematicReview", URIRef("https://w3id.org/nelmkg/ontology#SystematicReview")),
        ("22", Literal(22)),
        ("-3", Literal(-3)),
        ("3.5", Literal("3.5")),
        ("unknown:thing", Literal("unknown:thing")),
        ("Glazer", Literal("Glazer")),
        ("  th:tae ", URIRef(ID + "therapy/tae")),
    ],
)
def test_parse_param(text, expected):
    term = parse_param(text)
    assert term == expected and type(term) is type(expected)
    if isinstance(expected, Literal) and expected.datatype:
        assert term.datatype == XSD_INTEGER


def test_parse_example_binds_several_parameters():
    assert parse_example("a=th:tace&b=th:tare", ("a", "b")) == {
        "a": URIRef(ID + "therapy/tace"),
        "b": URIRef(ID + "therapy/tare"),
    }
    assert parse_example("(no parameters)") == {}


def test_unknown_or_empty_parameter_is_refused():
    with pytest.raises(ParamError, match="unknown parameter 'x'"):
        parse_bindings({"x": "1"}, ("therapy",))
    with pytest.raises(ParamError, match="empty"):
        parse_param("  ")

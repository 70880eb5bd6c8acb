"""The compiled SHACL engine (:mod:`nelmkg.shacl.compiled`) gives pySHACL's results, and Jena's.

Differential tests, the compiled engine against pySHACL on

* every case fixture of the manifest: the same results (focus node, source shape, constraint
  component, severity, path, value, message), the same assessment and validation JSON, and
  isomorphic ``sh:ValidationReport`` graphs;
* 500 generated plain-JSON cases (:mod:`nelmkg.testing.casegen`, fixed seed): every key, some left
  out, values on and around every boundary the KG names, and a share of values the case shapes
  refuse: the same results and the same assessment JSON;
* literal probes (``tests/data/machinery/literal-probes.ttl``): odd lexical forms and datatypes;

and against Apache Jena on the fixtures and the probes in ``tests/test_cross_engine.py`` (one
Java start there). Where an engine departs from the SHACL spec, the compiled engine follows the
spec; every such difference is listed with its reason as a strict xfail
(:data:`PYSHACL_DIFFERENCES` here, ``JENA_DIFFERENCES`` there). On the
generated cases the one difference that occurs (a negative count, an ill-typed
``xsd:nonNegativeInteger``) is checked by :func:`spec_difference`: it never changes the JSON.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH

from nelmkg import paths
from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.json_input import to_graph, to_values
from nelmkg.cases.read import SUFFIX_TYPES, node_values
from nelmkg.eligibility.assessor import Assessor
from nelmkg.graph.dataset import parse_files
from nelmkg.shacl.compiled import CompiledShapes
from nelmkg.shacl.literals import normalisation
from nelmkg.testing.casegen import boundaries, case_facts, generate

CASES_DIR = Path(__file__).resolve().parent / "data" / "cases"

pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")

CONTENT_TYPES = SUFFIX_TYPES
GENERATED = ((300, 0.0), (200, 0.06))  # (cases, share of refused values), seeds below
SEED = 2024
PROBES = Path(__file__).parent / "data" / "machinery" / "literal-probes.ttl"
PROBE_NS = "urn:nelmkg:probe:"
RANGES = {
    SH.MinInclusiveConstraintComponent,
    SH.MinExclusiveConstraintComponent,
    SH.MaxInclusiveConstraintComponent,
    SH.MaxExclusiveConstraintComponent,
}
_ILL_TYPED = (
    "pySHACL orders an ill-typed literal above every number (rdflib's ordering), so it passes "
    "sh:minInclusive/sh:minExclusive; SHACL makes the failed comparison a violation"
)
# Probes on which pySHACL departs from the SHACL spec (the compiled engine follows the spec).
# In each the case shapes reject the value under both engines except where noted.
PYSHACL_DIFFERENCES = {
    "count-minus-one": _ILL_TYPED,
    "count-fraction": _ILL_TYPED,
    "ki67-decimal-letters": _ILL_TYPED,
    "ki67-decimal-hex": _ILL_TYPED,
    "ki67-double-letters": _ILL_TYPED,
    "ki67-boolean": "pySHACL compares true as the number 1 (Python's bool is an int); SPARQL "
    "cannot compare a boolean with a number",
    "ki67-date": "pySHACL passes a date for sh:minInclusive (rdflib's ordering of unlike "
    "literals); SPARQL cannot compare a date with a number",
    "ki67-custom-datatype": "pySHACL fails an unknown datatype only on some comparisons; "
    "SPARQL cannot compare it with a number at all",
    "ki67-double-nan": "pySHACL passes NaN for sh:maxInclusive/sh:maxExclusive; every "
    "comparison with NaN is false in SPARQL",
    "ki67-float-rounds-to-55": "pySHACL compares an xsd:float at double precision; SPARQL "
    "promotes the decimal threshold to float, and the float nearest 54.9999999 is 55",
    "ki67-decimal-infinity": "pySHACL takes 'Infinity' as an xsd:decimal (rdflib reads it with "
    "Python's Decimal); it is not in the XSD lexical space: with no maximum on the fact "
    "(age_years) pySHACL calls such a case well-formed",
    "ki67-decimal-nan": "pySHACL raises decimal.InvalidOperation comparing Decimal('NaN'); "
    "'NaN' is not in xsd:decimal's lexical space, a violation",
}


def key(result) -> tuple:
    """A result as compared between engines (a case without id is a new blank node per read)."""
    focus = "_:patient" if isinstance(result.focus, BNode) else result.focus
    return (
        focus,
        result.shape,
        result.component,
        result.severity,
        result.path,
        result.value,
        result.message,
    )


def report_form(report: Graph) -> tuple:
    """The report graph up to renaming its report and result nodes (blank, star-shaped).

    The report and its results are blank nodes; so is a copied blank patient (each read of a
    Turtle case names it anew). Comparing the report's own statements, the multiset of result
    descriptions and the copied nodes' statements, blank nodes as one placeholder, is much
    faster than rdflib's general isomorphism test, which :func:`test_fixtures_agree_with_pyshacl`
    also runs on a few fixtures.
    """
    (root,) = report.subjects(RDF.type, SH.ValidationReport)
    results = set(report.objects(root, SH.result))

    def term(node):
        return "_:" if isinstance(node, BNode) else node

    described = Counter(
        frozenset((p, term(o)) for p, o in report.predicate_objects(r)) for r in results
    )
    own = frozenset((p, o) for p, o in report.predicate_objects(root) if p != SH.result)
    rest = Counter((term(s), p, term(o)) for s, p, o in report if s != root and s not in results)
    return own, described, rest, len(results)


def spec_difference(result, results) -> bool:
    """True for the compiled-only result of the known pySHACL difference on ill-typed numbers.

    The value is an ill-typed literal on a range constraint, and a case shape reports the same
    value as not of its datatype: the case is malformed under both engines either way.
    """
    return (
        result.component in RANGES
        and isinstance(result.value, Literal)
        and result.value.ill_typed
        and any(
            r.component == SH.DatatypeConstraintComponent and r.value == result.value
            for r in results
        )
    )


def assert_same_results(compiled, reference, allow_spec: bool = False) -> int:
    """Assert two result lists are equal (as multisets); return how many spec differences."""
    ours, theirs = Counter(map(key, compiled)), Counter(map(key, reference))
    if not allow_spec:
        assert ours == theirs, (ours - theirs, theirs - ours)
        return 0
    assert not theirs - ours, theirs - ours
    extra = [r for r in compiled if ours[key(r)] > theirs[key(r)]]
    assert all(spec_difference(r, reference) for r in extra), extra
    return len(extra)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse_files(paths.shape_files("case", "eligibility"))


@pytest.fixture(scope="module")
def compiled(shapes) -> CompiledShapes:
    return CompiledShapes(shapes)


@pytest.fixture(scope="module")
def generated(data) -> list[dict]:
    facts = case_facts(parse_files(paths.shape_files("case")), data)
    bounds = boundaries(data)
    cases = []
    for i, (n, share) in enumerate(GENERATED):
        cases += generate(n, SEED + i, facts, bounds, malformed=share, prefix=f"gen{i}")
    return cases


def test_engine_is_chosen_by_name(assessor, pyshacl_assessor, data):
    assert (assessor.engine, pyshacl_assessor.engine) == ("compiled", "pyshacl")
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        Assessor.from_repository(data, engine="jena")


# ---------------------------------------------------------------- plain JSON without JSON-LD

EDGE_VALUES = {
    "age_years": [0, 52, 52.5, Decimal("2.50"), Decimal("1E+400"), 1e-7, -0.0, 10**30],
    "liver_lesion_count": [0, 3, -1, 10**30],
    "bilobar": [True, False],
    "who_grade": ["G1", "G3"],
    "id": ["case-01", "a..b", "...", "x~y_z.1"],
}


def mapped(doc: dict, context) -> tuple:
    """Both mappings of a plain-JSON case: (direct or None, through JSON-LD)."""
    direct = to_values(doc, context)
    graph, _keyed = to_graph(doc, context)
    (node,) = set(graph.subjects(RDF.type, None))
    return direct, (node, node_values(graph, node))


def assert_same_terms(direct, through) -> None:
    (node, values), (their_node, theirs) = direct, through
    if isinstance(their_node, URIRef):
        assert node == their_node
    assert {p: set(o) for p, o in values.items()} == {p: set(o) for p, o in theirs.items()}
    for p, objects in values.items():  # the same values too, not only equal terms
        for mine, other in zip(sorted(objects), sorted(theirs[p]), strict=True):
            assert type(mine) is type(other)
            if isinstance(mine, Literal):
                assert (mine.value, mine.ill_typed) == (other.value, other.ill_typed)


@pytest.mark.parametrize("normalise", [True, False], ids=["normalised", "as-written"])
def test_direct_mapping_gives_the_json_ld_terms(assessor, generated, normalise):
    context = assessor.context
    docs = [*generated[200 if normalise else 400 :], {}]  # the last 200 refuse some values
    docs += [
        {k: v} if k == "id" else {"id": "e", k: v} for k, vs in EDGE_VALUES.items() for v in vs
    ]
    outside = 0
    with normalisation(normalise):
        for doc in docs:
            direct, through = mapped(doc, context)
            assert direct is not None, doc
            bad = {
                context.keys[k].property: v
                for k, v in doc.items()
                if k in context.keys
                and context.keys[k].kind == "concept"
                and v not in context.keys[k].values
            }
            if bad:  # a string outside the allowed values stays a literal for the shapes
                outside += 1
                node, values = direct
                for prop, value in bad.items():
                    assert values[prop] == (Literal(value),)
                    del values[prop]
                their_node, theirs = through
                theirs = {p: o for p, o in theirs.items() if p not in bad}
                through = (their_node, theirs)
            assert_same_terms(direct, through)
    assert 0 < outside < len(docs) / 4


def test_reader_refuses_alike(assessor):
    """A refused document is refused before either mapping, with the same error."""
    for doc in ({"id": "x", "age_years": "52"}, {"id": "x", "nope": 1}, {"id": "x:y"}):
        with pytest.raises(CaseInputError) as direct:
            to_values(doc, assessor.context)
        with pytest.raises(CaseInputError) as through:
            to_graph(doc, assessor.context)
        assert direct.value.as_dict() == through.value.as_dict()


# ---------------------------------------------------------------- fixtures and generated cases


def readable_fixtures(entries) -> list[str]:
    return [e["file"] for e in entries if "error" not in e]


ISOMORPHIC = ("ttl-blank-node.ttl", "bad-unknown-property.ttl", "rg-g3-ki67-55.json")


def test_fixtures_agree_with_pyshacl(assessor, pyshacl_assessor, case_entries):
    names = readable_fixtures(case_entries)
    assert set(ISOMORPHIC) <= set(names)
    differing = set()
    for name in names:
        body = (CASES_DIR / name).read_bytes()
        kind = CONTENT_TYPES[name[name.rindex(".") :]]
        checked = assessor.validate(body, kind), pyshacl_assessor.validate(body, kind)
        assert checked[0].as_dict() == checked[1].as_dict(), name
        assert_same_results(*(c.outcome.results for c in checked), allow_spec=True)
        ours, theirs = assessor.run(body, kind), pyshacl_assessor.run(body, kind)
        assert ours.as_dict() == theirs.as_dict(), name
        if assert_same_results(ours.outcome.results, theirs.outcome.results, allow_spec=True):
            differing.add(name)
            continue
        assert report_form(ours.report) == report_form(theirs.report), name
        if name in ISOMORPHIC:
            assert isomorphic(ours.report, theirs.report), name
    assert differing == {"bad-negative-count.json"}  # "-1"^^xsd:nonNegativeInteger


def test_generated_cases_agree_with_pyshacl(assessor, pyshacl_assessor, generated):
    assert len(generated) == sum(n for n, _ in GENERATED)
    malformed = differences = 0
    for case in generated:
        ours, theirs = assessor.run(case), pyshacl_assessor.run(case)
        assert ours.as_dict() == theirs.as_dict(), case["id"]
        differences += assert_same_results(ours.outcome.results, theirs.outcome.results, True)
        malformed += not ours.well_formed
    assert 100 <= malformed <= len(generated) - 300  # both kinds well represented
    assert differences > 0  # the known difference occurs, and is the explained one


def test_json_output_is_json(assessor, generated):
    for case in generated[:50]:
        json.loads(json.dumps(assessor.assess(case), allow_nan=False))


# ---------------------------------------------------------------- literal probes


def probe_graph() -> Graph:
    with warnings.catch_warnings():  # a probe is "yes"^^xsd:boolean, on purpose
        warnings.simplefilter("ignore", UserWarning)
        return Graph().parse(PROBES)


def probe_names() -> list[str]:
    return sorted(str(s)[len(PROBE_NS) :] for s in set(probe_graph().subjects(RDF.type, None)))


def probe_cases(table: dict[str, str]) -> list:
    return [
        pytest.param(n, marks=pytest.mark.xfail(reason=table[n], strict=True)) if n in table else n
        for n in probe_names()
    ]


def only(graph: Graph, name: str) -> Graph:
    single = Graph()
    for triple in graph.triples((URIRef(PROBE_NS + name), None, None)):
        single.add(triple)
    return single


def test_probe_table_names_probes():
    names = set(probe_names())
    assert names and set(PYSHACL_DIFFERENCES) <= names


@pytest.mark.parametrize("name", probe_cases(PYSHACL_DIFFERENCES))
def test_probe_agrees_with_pyshacl(name, assessor, pyshacl_assessor):
    graph = only(probe_graph(), name)
    ours, theirs = assessor.run(graph), pyshacl_assessor.run(graph)
    assert_same_results(ours.outcome.results, theirs.outcome.results)
    assert ours.as_dict() == theirs.as_dict()

"""Our SHACL engines and Apache Jena's SHACL agree on every case fixture (``tests/data/cases``).

Each fixture the manifest does not expect to be refused is read into its case graph by the
assessment's own reader (:meth:`nelmkg.eligibility.assessor.Assessor.read`), its patient node
renamed
to a fixture-specific IRI (fixtures share ids, some have none), and validated against the
same shapes (``shapes/case`` + ``shapes/eligibility``) four ways: the assessment per case
(:meth:`Assessor.run`) with each of its engines, compiled and pySHACL, plain
``pyshacl.validate`` and Jena, the last two on all fixtures merged into one data graph (one
Java start for the lot). The verdict compared per fixture is ``conforms`` and the set of
(focus node, source shape, severity). The same Jena run also validates the literal probes
(``tests/data/machinery/literal-probes.ttl``, one patient per odd value), compared with the
compiled engine by constraint component too (:func:`test_probe_agrees_with_jena`).

Fixtures are read with rdflib's literal normalisation off: it rewrites an ill-typed literal
when parsing (``"yes"^^xsd:boolean`` becomes ``"false"``, flagged ``ill_typed``), a flag that
pySHACL sees but that no serialisation carries, so Jena would be handed a valid ``"false"``.
Both engines must see the literals as written.
"""

from __future__ import annotations

import tomllib
import warnings
from collections import Counter
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH

from nelmkg import paths
from nelmkg.cases.read import SUFFIX_TYPES
from nelmkg.eligibility.assessor import ENGINES, Assessor
from nelmkg.graph.dataset import parse_files
from nelmkg.shacl.compiled import CompiledShapes
from nelmkg.shacl.literals import normalisation
from nelmkg.testing import second_engine
from nelmkg.testing.second_engine import Report, Result, reduce_report

CASES_DIR = Path(__file__).resolve().parent / "data" / "cases"

pytestmark = [
    pytest.mark.second_engine,
    pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning"),  # a fixture's "yes"
]

CONTENT_TYPES = SUFFIX_TYPES
FIXTURE_NS = "urn:nelmkg:fixture:"
PROBES = Path(__file__).parent / "data" / "machinery" / "literal-probes.ttl"
PROBE_NS = "urn:nelmkg:probe:"
MINIMUM_FIXTURES = 60
# Where pySHACL and Jena are known to differ, and why (xfail, strict: a fix shows up as
# XPASS). The compiled engine follows the spec, and Jena, on these.
KNOWN_DIFFERENCES = {
    "bad-negative-count.json": (
        'pySHACL passes sh:minInclusive for the ill-typed literal "-1"^^xsd:nonNegativeInteger '
        "(rdflib orders an ill-typed literal above every number), where SHACL makes a failed "
        "comparison a violation, as Jena reports; the case fails sh:datatype in both engines, "
        "so it is malformed either way and no assessment changes"
    ),
}


# Literal probes on which Jena and the compiled engine differ, and why. The compiled engine
# follows the SHACL spec (and RDF 1.1's XSD 1.1); pySHACL's departures from it are listed in
# tests/test_compiled_shacl.py.
JENA_DIFFERENCES = {
    "ki67-double-nan": "Jena orders NaN above every number (Java's Double.compare), so it "
    "passes sh:minInclusive/sh:minExclusive; every comparison with NaN is false in SPARQL",
    "ki67-double-plus-inf": "Jena reads xsd:double by XSD 1.0, which has no '+INF'; RDF 1.1 "
    "uses XSD 1.1, which has",
    "bilobar-spaces": "rdflib's parser flags ' true '^^xsd:boolean ill-typed (it does not "
    "collapse whitespace; with normalisation on it even rewrites it to 'false'); the compiled "
    "engine trusts that flag, Jena collapses the whitespace",
}


@cache
def manifest_files() -> tuple[str, ...]:
    """Return the fixtures the manifest expects to be read (no ``error``), in its order."""
    path = CASES_DIR / "manifest.toml"
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["case"]
    return tuple(e["file"] for e in entries if "error" not in e)


@cache
def probe_triples() -> tuple:
    """The literal probes' triples, read with literals as written."""
    with normalisation(False), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "yes"^^xsd:boolean, on purpose
        return tuple(Graph().parse(PROBES))


def probe_graph(name: str | None = None) -> Graph:
    """The probes (or the one named) as a graph."""
    graph = Graph()
    for triple in probe_triples():
        if name is None or triple[0] == URIRef(PROBE_NS + name):
            graph.add(triple)
    return graph


def probes() -> list:
    """The probe names as test parameters, known differences xfail with their reason."""
    names = sorted({str(t[0])[len(PROBE_NS) :] for t in probe_triples()})
    return [
        pytest.param(n, marks=pytest.mark.xfail(reason=JENA_DIFFERENCES[n], strict=True))
        if n in JENA_DIFFERENCES
        else n
        for n in names
    ]


def node_for(name: str) -> URIRef:
    """Return the IRI that stands for fixture ``name``'s patient in the merged graph."""
    return URIRef(FIXTURE_NS + name)


def case_graph(assessor: Assessor, name: str) -> Graph:
    """Read fixture ``name`` with the assessment's reader; rename its patient node."""
    path = CASES_DIR / name
    with normalisation(False):
        case = assessor.read(path.read_bytes(), CONTENT_TYPES[Path(name).suffix])
    renamed = Graph()
    new = node_for(name)
    for s, p, o in case.graph:
        renamed.add((new if s == case.node else s, p, new if o == case.node else o))
    return renamed


def per_node(report: Report, nodes: list[URIRef]) -> dict[URIRef, frozenset[Result]]:
    """Split a merged report's results by focus node (every node present, maybe empty)."""
    split: dict[URIRef, set[Result]] = {n: set() for n in nodes}
    for result in report.results:
        split.setdefault(result[0], set()).add(result)
    return {n: frozenset(r) for n, r in split.items()}


@pytest.fixture(scope="session")
def shapes() -> Graph:
    """The shapes both engines validate against: case and eligibility shapes together."""
    return parse_files(paths.shape_files("case", "eligibility"))


@pytest.fixture(scope="session")
def assessors(assessor, pyshacl_assessor) -> dict[str, Assessor]:
    """The assessor with each SHACL engine, by engine name."""
    return {"compiled": assessor, "pyshacl": pyshacl_assessor}


@pytest.fixture(scope="session")
def fixture_graphs(assessor) -> dict[str, Graph]:
    """Every readable fixture's case graph, patient renamed (see :func:`case_graph`)."""
    return {name: case_graph(assessor, name) for name in manifest_files()}


@pytest.fixture(scope="session")
def merged(fixture_graphs) -> Graph:
    graph = Graph()
    for g in fixture_graphs.values():
        graph += g
    return graph


@pytest.fixture(scope="session")
def jena_report(merged, shapes) -> Graph:
    """Jena's report on all fixtures and the literal probes (as written), from one run."""
    why = second_engine.missing()
    if why:
        pytest.fail(
            f"Jena cannot run: {why}; apt-get install libapache-jena-java "
            "(or deselect with -m 'not second_engine')"
        )
    return second_engine.report_graph(merged + probe_graph(), shapes)


@pytest.fixture(scope="session")
def jena(jena_report) -> dict[URIRef, frozenset[Result]]:
    """Jena's results per fixture node."""
    return per_node(reduce_report(jena_report), [node_for(n) for n in manifest_files()])


@pytest.fixture(scope="session")
def plain_pyshacl(merged, shapes) -> dict[URIRef, frozenset[Result]]:
    """Plain ``pyshacl.validate`` results per fixture node, one run over all fixtures."""
    _conforms, report, _text = pyshacl.validate(merged, shacl_graph=shapes, inference="none")
    return per_node(reduce_report(report), [node_for(n) for n in manifest_files()])


def test_enough_fixtures_compared(fixture_graphs):
    assert len(fixture_graphs) >= MINIMUM_FIXTURES
    assert len(fixture_graphs) == len(manifest_files())


def test_every_shape_that_can_report_is_named(shapes):
    """Results name their source shape; a blank one could not be matched across engines."""
    sources = set(shapes.subjects(SH.path, None)) | set(shapes.subjects(SH.targetClass, None))
    blank = [s for s in sources if isinstance(s, BNode)]
    assert not blank, f"{len(blank)} shape(s) with targets or a path are blank nodes"


def known(engine: str, name: str) -> list:
    """The xfail mark of a fixture on which ``engine`` is known to differ from Jena, if any."""
    if engine == "pyshacl" and name in KNOWN_DIFFERENCES:
        return [pytest.mark.xfail(reason=KNOWN_DIFFERENCES[name], strict=True)]
    return []


def compared() -> list:
    """The fixtures as test parameters, pySHACL's known differences xfail with their reason."""
    return [pytest.param(n, marks=known("pyshacl", n)) for n in manifest_files()]


def engines_and_fixtures() -> list:
    """(engine, fixture) test parameters, each engine's known differences xfail."""
    return [
        pytest.param(engine, name, marks=known(engine, name), id=f"{engine}-{name}")
        for engine in ENGINES
        for name in manifest_files()
    ]


@pytest.fixture(scope="session")
def case_shapes() -> set:
    """The nodes of the case (well-formedness) shapes."""
    return set(parse_files(paths.shape_files("case")).subjects())


@pytest.mark.parametrize("name", manifest_files())
def test_well_formedness_agrees(name, fixture_graphs, case_shapes, jena, assessors):
    """On every fixture, known differences included, all engines judge the case shapes alike."""
    theirs = {r for r in jena[node_for(name)] if r[1] in case_shapes}
    for engine, assessor in assessors.items():
        ours = reduce_report(assessor.run(fixture_graphs[name]).report)
        assert {r for r in ours.results if r[1] in case_shapes} == theirs, engine


@pytest.mark.parametrize(("engine", "name"), engines_and_fixtures())
def test_jena_agrees_with_the_assessment(engine, name, fixture_graphs, jena, assessors):
    """Jena's verdict on a fixture equals the one the assessment reports, with either engine."""
    node = node_for(name)
    ours = reduce_report(assessors[engine].run(fixture_graphs[name]).report)
    theirs = jena[node]
    assert not Report(False, theirs).blank_shapes()
    assert ours.conforms == (not theirs)
    only_ours, only_jena = ours.results - theirs, theirs - ours.results
    assert not only_ours and not only_jena, (
        f"pySHACL only: {sorted(map(_show, only_ours))}\nJena only: {sorted(map(_show, only_jena))}"
    )


@pytest.mark.parametrize("name", compared())
def test_plain_pyshacl_agrees_with_jena(name, plain_pyshacl, jena):
    """The same holds for an unmodified ``pyshacl.validate`` over the merged fixtures."""
    node = node_for(name)
    assert plain_pyshacl[node] == jena[node]


def _show(result: Result) -> str:
    _focus, shape, severity = result
    return f"{shape.n3()} {severity.n3()}"


@pytest.fixture(scope="session")
def compiled(shapes) -> CompiledShapes:
    return CompiledShapes(shapes)


def test_probes_are_listed():
    names = {p if isinstance(p, str) else p.values[0] for p in probes()}
    assert names and set(JENA_DIFFERENCES) <= names


@pytest.mark.parametrize("name", probes())
def test_probe_agrees_with_jena(name, compiled, jena_report):
    """The compiled engine and Jena on a literal probe: the same (shape, component) results.

    Compared without values: Jena writes them in canonical form ("+55" as "55").
    """
    node = URIRef(PROBE_NS + name)
    ours = Counter((r.shape, r.component) for r in compiled.validate(probe_graph(name)).results)
    theirs = Counter(
        (jena_report.value(r, SH.sourceShape), jena_report.value(r, SH.sourceConstraintComponent))
        for r in jena_report.subjects(SH.focusNode, node)
    )
    assert ours == theirs

"""Shared fixtures: the repository's data is parsed once per test session.

The dataset is kept in ``config.stash`` so that collection-time parametrisation (over quotes,
ontology terms) and the session fixtures share one parse, without a module-global graph.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import NoReturn

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF

from nelmkg import paths
from nelmkg.eligibility.assessor import Assessor
from nelmkg.graph.checks import normalise, quotes
from nelmkg.graph.dataset import LoadError, data_graph, load_dataset, nelm_terms, parse_files, part
from nelmkg.graph.vocab import KEY_EXTERNAL_CLASSES, NELM, curie

CASES_DIR = Path(__file__).resolve().parent / "data" / "cases"

_DATASET = pytest.StashKey[Dataset]()
# The workspace keeps the review text in shared/ beside the clone (CI lays it there too). The
# package never looks there: the tests point it at the text through NELMKG_REVIEW.
SHARED_REVIEW = Path(__file__).resolve().parents[2] / "shared" / "review" / paths.REVIEW_NAME


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose tool or file is missing here; under CI (``CI=true``) fail it instead:
    CI installs everything the tests need, so there a missing part is an error."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI=true needs it: {reason}")
    pytest.skip(reason)


def in_fresh_python(code: str, *args: str) -> list[str]:
    """Run ``code`` in a new interpreter (its own modules, handlers, collector); return the last
    line it printed, split on spaces."""
    run = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, timeout=120
    )
    return run.stdout.splitlines()[-1].split()


def pytest_configure(config: pytest.Config) -> None:
    """Keep the start-up cache (nelmkg.graph.startcache) of this run in a folder of its own.

    Set before any test runs, so commands the tests start inherit it: the suite neither reads
    nor fills the user's own cache, and starts from an empty one.
    """
    if "NELMKG_STARTUP_CACHE" not in os.environ:
        folder = Path(tempfile.mkdtemp(prefix="nelmkg-startcache-"))
        os.environ["NELMKG_STARTUP_CACHE"] = str(folder)
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def bundled(config: pytest.Config) -> Dataset:
    """Return the session's dataset, parsing the repository's data on first use."""
    if _DATASET not in config.stash:
        config.stash[_DATASET] = load_dataset()
    return config.stash[_DATASET]


def case_manifest() -> list[dict]:
    """Return the entries of ``tests/data/cases/manifest.toml`` (example cases)."""
    with (CASES_DIR / "manifest.toml").open("rb") as handle:
        return tomllib.load(handle)["case"]


def fhir_case_entries() -> list[dict]:
    """Return the manifest's plain-JSON cases that are read (no ``error``): FHIR has them too."""
    return [e for e in case_manifest() if e["file"].endswith(".json") and "error" not in e]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise tests over the repository's files, queries, quotes and terms by arg name."""
    names = metafunc.fixturenames
    if "data_file" in names:
        files = paths.data_files()
        metafunc.parametrize("data_file", files, ids=[paths.relative(f) for f in files])
    if "qc_file" in names:
        files = paths.qc_files()
        metafunc.parametrize("qc_file", files, ids=[f.stem for f in files])
    if "competency_file" in names:
        files = paths.competency_files()
        metafunc.parametrize("competency_file", files, ids=[f.stem for f in files])
    if "rq_file" in names:
        files = paths.query_files()
        ids = [str(f.relative_to(paths.queries_dir())) for f in files]
        metafunc.parametrize("rq_file", files, ids=ids)
    if "quote" in names:
        pairs = quotes(_part_or_empty(metafunc.config, "kg"))
        metafunc.parametrize("quote", pairs, ids=[curie(str(s)) for s, _ in pairs])
    if "case_entry" in names:
        entries = case_manifest()
        metafunc.parametrize("case_entry", entries, ids=[e["file"] for e in entries])
    if "fhir_case" in names:  # plain-JSON example cases the reader accepts, in each code style
        entries = fhir_case_entries()
        styles = ("project", "standard")
        metafunc.parametrize(
            ("fhir_case", "style"),
            [(e, s) for e in entries for s in styles],
            ids=[f"{e['file']}-{s}" for e in entries for s in styles],
        )
    if "nelm_term" in names:
        terms = nelm_terms(_part_or_empty(metafunc.config, "ontology"))
        metafunc.parametrize("nelm_term", terms, ids=[curie(str(t)) for t in terms])


def _part_or_empty(config: pytest.Config, name: str) -> Graph:
    """Return a named graph for parametrising; empty if the data does not parse.

    A parse error then fails every test that uses the ``dataset`` fixture (and test_parse
    names the file) instead of aborting the whole collection.
    """
    try:
        return part(bundled(config), name)
    except LoadError:
        return Graph()


@pytest.fixture(scope="session")
def dataset(pytestconfig: pytest.Config) -> Dataset:
    """The repository's ontology, KG and shapes as one Dataset with three named graphs."""
    return bundled(pytestconfig)


@pytest.fixture(scope="session")
def ontology(dataset: Dataset) -> Graph:
    """The ontology named graph."""
    return part(dataset, "ontology")


@pytest.fixture(scope="session")
def kg(dataset: Dataset) -> Graph:
    """The KG named graph."""
    return part(dataset, "kg")


@pytest.fixture(scope="session")
def data(dataset: Dataset) -> Graph:
    """Ontology + KG as one plain Graph: what QC, SHACL and HermiT check."""
    return data_graph(dataset)


@pytest.fixture(scope="session")
def kg_shapes() -> Graph:
    """The KG integrity shapes (``shapes/kg/*.ttl``) alone."""
    return parse_files(paths.shape_files("kg"))


def find_review() -> Path | None:
    """Return the review text: ``$NELMKG_REVIEW`` if set, else ``shared/`` beside the clone."""
    named = paths.review_file()
    if named is not None:
        return named if named.is_file() else None
    return SHARED_REVIEW if SHARED_REVIEW.is_file() else None


@pytest.fixture(scope="session", autouse=True)
def review_location():
    """Point the program at the review text for the session (unset when there is none)."""
    found = find_review()
    with pytest.MonkeyPatch.context() as patch:
        if found is None:
            patch.delenv(paths.REVIEW_ENV, raising=False)
        else:
            patch.setenv(paths.REVIEW_ENV, str(found))
        yield found


@pytest.fixture(scope="session")
def review_path(review_location) -> Path:
    """The review text's path; the test is skipped without it, except under CI (``CI=true``).

    A fresh clone needs no review text to pass; CI must verify the quotes, so there a
    missing text is an error.
    """
    if review_location is not None:
        return review_location
    unavailable(f"review text not found, quotes not verified: {paths.review_hint()}")


@pytest.fixture(scope="session")
def review_raw(review_path) -> str:
    """The review's text as stored."""
    return review_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def review_text(review_raw) -> str:
    """The review's text, whitespace-normalised (see :func:`nelmkg.graph.checks.normalise`)."""
    return normalise(review_raw)


@pytest.fixture(scope="session")
def machinery() -> Path:
    """Small hand-written graphs that exercise the checking machinery itself."""
    return Path(__file__).parent / "data" / "machinery"


@pytest.fixture(scope="session")
def assessor(data: Graph) -> Assessor:
    """The case assessor (compiled SHACL engine), built once per session from ontology + KG."""
    return Assessor.from_repository(knowledge=data)


@pytest.fixture(scope="session")
def pyshacl_assessor(data: Graph) -> Assessor:
    """The same assessor with pySHACL as its SHACL engine (the compiled one's reference)."""
    return Assessor.from_repository(knowledge=data, engine="pyshacl")


@pytest.fixture(scope="session")
def case_entries() -> list[dict]:
    """Every entry of the example-case manifest (``tests/data/cases/manifest.toml``)."""
    return case_manifest()


@pytest.fixture(scope="session")
def fhir_service(assessor):
    """The FHIR side (mapping, cards, CodeSystems) of the session's assessor."""
    from nelmkg.fhir.service import FhirService

    return FhirService.build(assessor)


# The data layout as the README states it, written out here so that the independent counts
# below do not go through the loaders they check (paths, dataset, store).
SOURCE_GLOBS = {"ontology": "ontology/*.ttl", "kg": "kg/*.ttl", "shapes": "shapes/*/*.ttl"}


@pytest.fixture(scope="session")
def source_graphs() -> dict[str, Graph]:
    """Each part (ontology, kg, shapes) parsed by rdflib straight from its files."""
    graphs = {}
    for part_name, pattern in SOURCE_GLOBS.items():
        graph = graphs[part_name] = Graph()
        for path in sorted(paths.root().glob(pattern)):
            graph.parse(path, format="turtle")
    return graphs


@pytest.fixture(scope="session")
def ontology_version_text() -> str:
    """``owl:versionInfo`` read from the text of ``ontology/nelm.ttl`` (no RDF parser)."""
    text = (paths.root() / "ontology" / "nelm.ttl").read_text(encoding="utf-8")
    (info,) = re.findall(r'owl:versionInfo\s+"([^"]+)"', text)
    return info


@pytest.fixture(scope="session")
def expected_summary(source_graphs, ontology_version_text) -> dict:
    """What ``nelmkg summary --json`` must print, counted here from ``source_graphs``.

    Instances are distinct (subject, class) pairs over the three parts; the classes listed are
    every ``nelm:`` class declared or used as a type, and those of KEY_EXTERNAL_CLASSES (the
    documented selection) that have instances.
    """
    sizes = {name: len(graph) for name, graph in source_graphs.items()}
    typed = {(s, c) for g in source_graphs.values() for s, c in g.subject_objects(RDF.type)}
    counts = Counter(c for _, c in typed)
    declared = set(source_graphs["ontology"].subjects(RDF.type, OWL.Class))
    wanted = {c for c in declared | set(counts) if isinstance(c, URIRef) and c.startswith(NELM)}
    wanted |= {c for c in KEY_EXTERNAL_CLASSES if counts[c]}
    return {
        "version": ontology_version_text,
        "graphs": {**sizes, "total": sum(sizes.values())},
        "classes": {curie(str(c)): counts[c] for c in sorted(wanted, key=lambda c: curie(str(c)))},
    }


ELIG = "https://w3id.org/nelmkg/shapes/eligibility#"


@pytest.fixture(scope="session")
def options_source() -> Graph:
    """``shapes/options.ttl``, the edited source of the treatment options, parsed by rdflib."""
    return Graph().parse(paths.options_file(), format="turtle")


@pytest.fixture(scope="session")
def option_ids(options_source) -> set[str]:
    """The option ids written in ``shapes/options.ttl``."""
    return {str(o) for o in options_source.objects(None, URIRef(ELIG + "optionId"))}


@pytest.fixture(scope="session")
def option_criteria(options_source, source_graphs) -> dict[str, list[URIRef]]:
    """Option id -> the criteria its criteria sets hold, from ``shapes/options.ttl`` and the
    KG's ``nelm:inCriteriaSet`` links, plus those of the KG's exception sets that relax one of
    them (``nelm:relaxesCriterion``)."""
    g, kg = options_source, source_graphs["kg"]
    found = {}
    for option, option_id in g.subject_objects(URIRef(ELIG + "optionId")):
        sets = list(g.objects(option, URIRef(ELIG + "criteriaSet")))
        own = [c for s in sets for c in kg.subjects(NELM.inCriteriaSet, s)]
        exceptions = {s for c in own for s in kg.subjects(NELM.relaxesCriterion, c)}
        found[str(option_id)] = own + [
            c for s in sorted(exceptions) for c in kg.subjects(NELM.inCriteriaSet, s)
        ]
    return found

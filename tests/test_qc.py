"""Every queries/qc/*-violation.rq returns no rows over ontology + KG."""

from pathlib import Path

from rdflib import Graph

from nelmkg import paths
from nelmkg.graph.checks import qc_violations
from nelmkg.graph.queries import load_query

QC_FIXTURES = Path(__file__).parent / "data" / "qc"


def test_qc_queries_collected():
    assert len(paths.qc_files()) > 0, "no queries/qc/*-violation.rq files"


def test_no_violations(data, qc_file):
    query = load_query(qc_file)
    assert query.form == "SelectQuery", f"{qc_file.name} must be a SELECT query"
    found = qc_violations(data, [query]).get(query.name, [])
    rows = "\n".join(" | ".join(map(str, row)) for row in found)
    assert not found, f"{query.name}: {len(found)} violation(s)\n{rows}"


def test_every_qc_query_has_a_firing_fixture():
    """Each QC query has a bad graph in tests/data/qc/ that it must catch."""
    fixtures = {p.stem for p in QC_FIXTURES.glob("*.ttl")}
    missing = {f.stem for f in paths.qc_files()} - fixtures
    assert not missing, f"QC queries without a firing fixture: {sorted(missing)}"


def test_violation_query_fires_on_bad_data(ontology, qc_file):
    """A QC query that never fires proves nothing: run it on ontology + its bad fixture."""
    fixture = QC_FIXTURES / f"{qc_file.stem}.ttl"
    bad = Graph()
    bad += ontology
    bad.parse(fixture, format="turtle")
    query = load_query(qc_file)
    found = qc_violations(bad, [query]).get(query.name, [])
    assert found, f"{query.name} found nothing in {fixture.name}"

"""Every queries/qc/*-violation.rq returns no rows over ontology + KG."""

from nelmkg import paths
from nelmkg.checks import qc_violations
from nelmkg.queries import load_query


def test_qc_queries_collected():
    assert len(paths.qc_files()) > 0, "no queries/qc/*-violation.rq files"


def test_no_violations(data, qc_file):
    query = load_query(qc_file)
    assert query.form == "SelectQuery", f"{qc_file.name} must be a SELECT query"
    found = qc_violations(data, [query]).get(query.name, [])
    rows = "\n".join(" | ".join(map(str, row)) for row in found)
    assert not found, f"{query.name}: {len(found)} violation(s)\n{rows}"

"""Every queries/competency/*.rq returns exactly its expected answer (tests/data/competency)."""

import json
from pathlib import Path

from nelmkg import paths
from nelmkg.graph.queries import load_query
from nelmkg.testing.oracle import compare

EXPECTED_DIR = Path(__file__).resolve().parent / "data" / "competency"

MIN_COMPETENCY_QUERIES = 30


def test_competency_queries_collected():
    assert len(paths.competency_files()) >= MIN_COMPETENCY_QUERIES


def test_every_expected_answer_has_a_query():
    names = {f.stem for f in paths.competency_files()}
    orphans = sorted(p.name for p in EXPECTED_DIR.glob("*.json") if p.stem not in names)
    assert not orphans, f"expected answers without a query: {orphans}"


def test_competency_answer(dataset, competency_file):
    query = load_query(competency_file)
    expected_file = EXPECTED_DIR / f"{query.name}.json"
    assert expected_file.is_file(), f"missing expected answer {paths.relative(expected_file)}"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    differences = compare(expected, dataset.query(query.prepared))
    assert not differences, f"{query.name}:\n" + "\n".join(differences)

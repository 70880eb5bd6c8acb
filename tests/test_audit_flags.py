"""Every audit flag kind fires where it must and stays silent where it must not.

Each fixture under ``tests/data/audit/`` is a small hand-written graph (read together with the
ontology, whose study-design flags the audit uses) holding both kinds of case; each claim or
recommendation's label says which. The assertions name the flagged subjects exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from nelmkg.audit import KIND_NAMES, run_audit
from nelmkg.audit.model import Report

FIXTURES = Path(__file__).parent / "data" / "audit"
ID = "https://w3id.org/nelmkg/id/"


def audit(ontology: Graph, name: str, review_text: str | None = None) -> Report:
    """Run the audit over the ontology plus one fixture graph."""
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    graph.parse(FIXTURES / f"{name}.ttl", format="turtle")
    return run_audit(graph, review_text)


def subjects(report: Report, kind: str) -> set[str]:
    """Return the flagged subjects of one kind, shortened to ``kind/slug``."""
    return {f.subject.removeprefix(ID) for f in report.flags_of(kind)}


@pytest.fixture(scope="module")
def review_text() -> str:
    return (FIXTURES / "review.txt").read_text(encoding="utf-8")


def test_uncited_claims(ontology):
    report = audit(ontology, "uncited")
    assert subjects(report, "uncited-claim") == {"claim/marked-uncited", "claim/link-missing"}
    by_subject = {f.subject.removeprefix(ID): f for f in report.flags_of("uncited-claim")}
    assert "prints no citation" in by_subject["claim/marked-uncited"].message
    assert "nelm:" not in by_subject["claim/marked-uncited"].message
    assert "does not mark it uncited" in by_subject["claim/link-missing"].message
    assert by_subject["claim/marked-uncited"].quote == "a statement without a citation"


def test_references_without_claims(ontology):
    report = audit(ontology, "uncited")
    assert subjects(report, "reference-without-claim") == {"reference/2", "reference/3"}
    flags = {f.subject.removeprefix(ID): f for f in report.flags_of("reference-without-claim")}
    assert "cited only by “a criterion citing reference 2”" in flags["reference/2"].message
    assert flags["reference/3"].reference_entries == [
        "3. Nobody C, et al. A reference nothing cites. J Test 2003;3:5-6."
    ]


def test_quotes_not_found(ontology, review_text):
    report = audit(ontology, "quotes", review_text)
    assert subjects(report, "quote-not-found") == {"claim/missing", "claim/emphasis"}
    assert report.skipped == []


def test_quote_check_skipped_without_text(ontology):
    report = audit(ontology, "quotes", None)
    assert report.flags_of("quote-not-found") == []
    assert report.skipped == ["quote-not-found"]
    assert report.summary()["by_kind"]["quote-not-found"] is None
    assert any("not checked" in note for note in report.notes)


def test_differing_figures(ontology):
    report = audit(ontology, "figures")
    flags = {
        f.details["therapies"][0].removeprefix(ID): f for f in report.flags_of("differing-figures")
    }
    assert set(flags) == {"therapy/a", "therapy/c"}
    consistent, conflicting = flags["therapy/a"], flags["therapy/c"]
    assert consistent.details["consistent"] is True
    assert "'60%' lies within '50–70%'" in consistent.message
    assert conflicting.details["consistent"] is False
    assert "'90%' lies outside '50–70%'" in conflicting.message
    assert [f["printed"] for f in consistent.details["figures"]] == ["60%", "50–70%"]


def test_retrospective_only(ontology):
    report = audit(ontology, "recommendations")
    assert subjects(report, "retrospective-only") == {
        "recommendation/retrospective",
        "recommendation/unstated-only",
    }
    flags = {f.subject.removeprefix(ID): f for f in report.flags_of("retrospective-only")}
    assert flags["recommendation/retrospective"].details["basis"] == (
        "retrospective or design not stated"
    )
    assert "1 from retrospective studies (retrospective series) and 1 with no stated design" in (
        flags["recommendation/retrospective"].message
    )
    assert flags["recommendation/unstated-only"].details["basis"] == "design not stated"


def test_recommendations_without_claims(ontology):
    report = audit(ontology, "recommendations")
    assert subjects(report, "recommendation-without-claims") == {
        "recommendation/bare",
        "recommendation/bare-cited",
    }
    flags = {
        f.subject.removeprefix(ID): f for f in report.flags_of("recommendation-without-claims")
    }
    assert "cites no reference" in flags["recommendation/bare"].message
    assert "cites (1) directly" in flags["recommendation/bare-cited"].message


def test_author_mismatch(ontology):
    report = audit(ontology, "authors")
    assert subjects(report, "author-mismatch") == {"claim/shared", "claim/wrong"}
    flags = {f.subject.removeprefix(ID): f for f in report.flags_of("author-mismatch")}
    assert flags["claim/shared"].details["named_author_cited"] is True
    assert "Reference 1 is by Smith" in flags["claim/shared"].message
    assert flags["claim/wrong"].details["named_author_cited"] is False
    assert "may point to the wrong paper" in flags["claim/wrong"].message


def test_design_mismatch(ontology):
    report = audit(ontology, "designs")
    assert subjects(report, "design-mismatch") == {
        "claim/retro-vs-review",
        "claim/trial-vs-abstract",
        "claim/two-vs-multi",
    }
    flags = {f.subject.removeprefix(ID): f for f in report.flags_of("design-mismatch")}
    assert "reference 1 reads as a narrative review" in flags["claim/retro-vs-review"].message
    assert "conference abstract" in flags["claim/trial-vs-abstract"].message
    setting = flags["claim/two-vs-multi"].details["mismatches"]
    assert [(m["aspect"], m["stated_setting"], m["title_setting"]) for m in setting] == [
        ("setting", "two institutions", "several institutions")
    ]


def test_indirect_evidence(ontology):
    report = audit(ontology, "population")
    assert subjects(report, "indirect-evidence") == {"claim/other-cancer", "claim/other-tracer"}
    flags = {f.subject.removeprefix(ID): f for f in report.flags_of("indirect-evidence")}
    assert "colorectal liver metastases" in flags["claim/other-cancer"].message
    assert "not the 68Ga-DOTATATE PET" in flags["claim/other-tracer"].message


@pytest.mark.parametrize("name", ["uncited", "figures", "recommendations", "authors", "designs"])
def test_flags_carry_the_documented_fields(ontology, name):
    for flag in audit(ontology, name).flags:
        data = flag.to_dict()
        assert flag.kind in KIND_NAMES
        assert data["message"] and data["subject"]
        assert {"kind", "claim", "references", "message", "quote", "reference_entries"} <= set(data)
        assert len(flag.references) == len(flag.reference_entries)

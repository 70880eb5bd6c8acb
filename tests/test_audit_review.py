"""The citation audit on the review itself: the known cases, the chains, and the command line.

Known cases (queries/README.md, kg/reference-readings.ttl): "Glazer et al. … Spolverato et al.
(28,29)" names the authors in the reverse order of the references and must be flagged, while
"Ejaz et al. (36)" matches its reference; ref 68 (a conference abstract, "Abstract No. 105") is
cited for a randomized trial, ref 1 ("ENETS consensus guidelines") for "systematic reviews" in
both clauses of its sentence, ref 66 ("multi-institutional") for a "two-institution" analysis;
refs 42, 44, 45, 13, 47 and 80 are indirect evidence. Ref 22's printed entry names no design
("Surgical management of neuroendocrine tumors: …"), so its citation for a "retrospective
multi-institutional review" is no longer a design mismatch (docs/decisions/0007).
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rdflib import Literal
from rdflib.namespace import RDF

from nelmkg.audit import KIND_NAMES, run_audit
from nelmkg.cli import main
from nelmkg.graph.vocab import NELM

ID = "https://w3id.org/nelmkg/id/"


@pytest.fixture(scope="module")
def report(data, review_location):
    """The audit as the command line runs it: with the review text when there is one."""
    text = review_location.read_text(encoding="utf-8") if review_location else None
    return run_audit(data, text)


def flagged(report, kind: str) -> dict[str, object]:
    return {f.subject.removeprefix(ID): f for f in report.flags_of(kind)}


def test_glazer_spolverato_fires_and_ejaz_does_not(report):
    flags = flagged(report, "author-mismatch")
    assert set(flags) == {
        "claim/glazer-synchronous-nonfunctional-ehd-worse-outcomes",
        "claim/spolverato-ehd-grade-adverse-prognosis",
    }
    glazer = flags["claim/glazer-synchronous-nonfunctional-ehd-worse-outcomes"]
    assert glazer.details["mismatched"] == [
        {"reference": ID + "reference/28", "number": 28, "first_author": "Spolverato"}
    ]
    assert "Glazer" in glazer.quote and "(28,29)" in glazer.message
    assert glazer.reference_entries[0].startswith("28. Spolverato G")
    assert "claim/ejaz-cytoreduction-5y-os-60-pct" not in flags


def test_design_mismatches_on_the_review(report):
    flags = flagged(report, "design-mismatch")
    numbers = {
        claim: sorted(m["number"] for m in f.details["mismatches"]) for claim, f in flags.items()
    }
    # source: "A recent three-arm randomized controlled trial … (68)" against "Abstract No. 105";
    # "Recent systematic reviews have suggested …, but the data are based on retrospective
    # studies … (1,57)" (both clauses: "systematic reviews") against "ENETS consensus
    # guidelines" (ref 57's title names no design); "A recent two-institution retrospective
    # analysis … (66)" against "…: a multi-institutional analysis".
    assert numbers == {
        "claim/three-arm-rct-deb-tace-terminated": [68],
        "claim/lt-5y-os-gt50": [1],
        "claim/lt-evidence-retrospective-selection-bias": [1],
        "claim/tace-vs-tare-two-institution": [66],
    }
    assert "conference abstract" in flags["claim/three-arm-rct-deb-tace-terminated"].message
    assert "guideline" in flags["claim/lt-evidence-retrospective-selection-bias"].message


def test_indirect_evidence_on_the_review(report):
    numbers = {
        claim: sorted(i["number"] for i in f.details["indirect"])
        for claim, f in flagged(report, "indirect-evidence").items()
    }
    assert numbers == {
        "claim/ablation-with-extended-hepatectomy-hepatic-insufficiency-risk": [42],
        "claim/repeat-hepatectomy-safe-recurrent-liver-disease": [44, 45],
        "claim/ga68-dotatate-alters-decisions-up-to-one-third": [13],
        "claim/high-grade-ki67-lt55-resection-outcomes": [47],
        "claim/ki67-guides-g3-chemotherapy": [80],
        "claim/ki67-discordance-primary-vs-nelm": [9],
    }


def test_differing_five_year_survival_figures(report):
    groups = {tuple(f.details["therapies"]): f for f in report.flags_of("differing-figures")}
    assert set(groups) == {
        (ID + "therapy/hepatic-resection",),
        (ID + "therapy/cytoreductive-debulking",),
    }
    resection = groups[(ID + "therapy/hepatic-resection",)]
    printed = [f["printed"] for f in resection.details["figures"]]
    assert printed == ["can reach 60–80%", "70.5% (range, 31–100%)", "74%"]
    assert resection.details["consistent"] is True
    assert "Differing figures for the same outcome" in resection.message


def test_counts_on_the_review(report, data):
    counts = report.summary()["by_kind"]
    uncited = set(data.subjects(NELM.uncited, Literal(True))) & set(
        data.subjects(RDF.type, NELM.EvidenceClaim)
    )
    assert counts["uncited-claim"] == len(uncited)
    assert counts["reference-without-claim"] == 0
    recommendations = set(data.subjects(RDF.type, NELM.Recommendation))
    supported = {r: list(data.objects(r, NELM.supportedBy)) for r in recommendations}
    assert counts["recommendation-without-claims"] == sum(not c for c in supported.values())

    def retrospective_or_not_stated(claim) -> bool:
        design = data.value(claim, NELM.studyDesign, default=NELM.DesignNotStated)
        return (
            design == NELM.DesignNotStated or (design, NELM.isRetrospective, Literal(True)) in data
        )

    retrospective_only = [
        r
        for r, claims in supported.items()
        if claims and all(map(retrospective_or_not_stated, claims))
    ]
    assert counts["retrospective-only"] == len(retrospective_only)
    # 27 before the design labels were grounded, plus rec:concomitant-ablation-small-central:
    # its claims' one designed study, "In a large multi-institutional analysis, … (40)", prints
    # no design word ('analysis' grounds none), so every supporting claim is now not stated.
    assert len(retrospective_only) == 28
    assert set(counts) == set(KIND_NAMES)


def test_every_quote_found_in_the_review(data, review_raw):
    counts = run_audit(data, review_raw).summary()["by_kind"]
    assert counts["quote-not-found"] == 0


def test_chain_of_the_resection_recommendation(report, data):
    chains = {c["recommendation"].removeprefix(ID): c for c in report.recommendations}
    recommendations = set(data.subjects(RDF.type, NELM.Recommendation))
    assert set(chains) == {str(r).removeprefix(ID) for r in recommendations}
    chain = chains["recommendation/hepatic-resection-appropriately-selected"]
    claims = {c["claim"].removeprefix(ID): c for c in chain["claims"]}
    study = claims["claim/resection-vs-intra-arterial-5y-os"]
    assert study["design_as_stated"] == "retrospective multi-institutional review"
    # source: "339 patients with NELM undergoing liver resection versus 414 patients receiving
    # intra-arterial therapies": two arms, no total printed (so no claim-level sample size)
    assert study["sample_size"] is None
    assert {a["sample_size"] for a in study["arm_sizes"]} == {339, 414}
    assert study["p_values"] == ["P < 0.001"]
    assert {v["printed"] for v in study["values"]} == {"74%", "30%"}
    (ref,) = study["references"]
    assert ref["number"] == 22 and ref["design_suggested_by_title"] is None  # no design printed


def test_audit_without_review_text_says_so(data):
    report = run_audit(data, None, review_source="/nowhere/review.txt")
    assert report.skipped == ["quote-not-found"]
    assert "/nowhere/review.txt" in report.notes[0]


# --- command line -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    """Run ``nelmkg audit -o FILE`` once per format; return the files' text."""
    folder = tmp_path_factory.mktemp("audit")
    texts = {}
    for fmt in ("json", "csv", "html"):
        target = folder / f"audit.{fmt}"
        assert main(["audit", "--format", fmt, "-o", str(target)]) == 0
        texts[fmt] = target.read_text(encoding="utf-8")
    return texts


def test_cli_json(outputs, report):
    data = json.loads(outputs["json"])
    assert set(data) >= {"summary", "flags", "recommendations", "kinds", "notes"}
    assert data["summary"] == report.summary()
    for flag in data["flags"]:
        assert {"kind", "claim", "references", "message", "quote", "reference_entries"} <= set(flag)


def test_cli_csv_one_row_per_flag(outputs, report):
    """For people: a byte-order mark, titles and labels rather than IRIs, markup removed."""
    assert outputs["csv"].startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].removeprefix("\ufeff"))))
    assert len(rows) == len(report.flags)
    glazer = next(
        r
        for r in rows
        if r["Flag"].endswith("glazer-synchronous-nonfunctional-ehd-worse-outcomes")
        and r["Kind of flag"] == "Named author differs from the cited reference's first author"
    )
    assert glazer["What this kind of flag means"]
    assert "28. Spolverato" in glazer["References (entries as printed)"]
    for row in rows:
        for column, value in row.items():
            if column != "Flag":
                assert "https://w3id.org/" not in value, (column, value)
                assert not re.search(r"\*[^*\s][^*]*\*|\$[^$]+\$", value), (column, value)


def test_cli_html_is_self_contained_and_readable(outputs, report):
    """One file in the site's look: inline CSS (the site's stylesheet), no scripts, no assets,
    no link out; an index, one section per recommendation and every flag in full once."""
    page = outputs["html"]
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"<(script|link|img|iframe)\b", page), "no external assets or scripts"
    assert not re.search(r"""(src|href)=["']https?:""", page)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style and "nav.site" in style[1] and "blockquote.quote" in style[1]  # the site's CSS
    assert '<nav class="site"' in page
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids are unique"
    for target in re.findall(r'href="#([^"]*)"', page):
        assert target in ids, f"link to #{target} has no target in the file"
    sections = re.findall(r'<h3 id="rec-([^"]+)">', page)
    assert len(sections) == len(report.recommendations)
    full = re.findall(r'<div class="flag" id="(flag-[^"]+)"', page)
    assert len(full) == len(report.flags) == len(set(full))
    for heading in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", page, re.S):
        assert heading.startswith('<a href="#'), f"heading does not link back: {heading[:60]}"
    for chain in report.recommendations:
        assert f'href="#rec-{chain["recommendation"].rsplit("/", 1)[-1]}"' in page
    for heading in ("By recommendation", "By kind of flag", "Named author differs"):
        assert heading in page


def test_cli_writes_to_stdout_by_default(capsys):
    assert main(["audit", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeffFlag,Kind of flag,About,")

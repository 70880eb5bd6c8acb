"""Each page in a real browser: key content, the editor running a query, the form, two clicks."""

from __future__ import annotations

import re

import pytest
from rdflib.namespace import RDF

from nelmkg.graph.vocab import NELM

pytestmark = pytest.mark.browser

REC = "/id/recommendation/pathway-resection-for-resectable"
CLAIM = "/id/claim/resection-vs-intra-arterial-5y-os"


def test_home(page, source_graphs):
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Neuroendocrine liver metastases")
    assert page.locator("table.counts tr").count() > 5
    kg = source_graphs["kg"]
    recommendations = set(kg.subjects(RDF.type, NELM.Recommendation))
    links = page.locator('table.recommendations a[href^="/id/recommendation/"]')
    assert links.count() == len(recommendations)


def test_recommendation_to_claim_to_reference_in_two_clicks(page):
    page.goto(REC)
    assert "Strength as worded" in page.locator("dl.facts").first.inner_text()
    page.locator(f'section.claim h3 a[href="{CLAIM}"]').click()  # click 1: the claim
    page.wait_for_url(re.compile(re.escape(CLAIM) + "$"))
    assert "339 patients with NELM" in page.locator("blockquote.quote").inner_text()
    assert "74%" in page.locator("table.numbers").inner_text()
    page.locator('ul.references a[href="/id/reference/22"]').click()  # click 2: the reference
    page.wait_for_url(re.compile("/id/reference/22$"))
    assert "Mayo SC, Pawlik TM" in page.locator("p.entry").inner_text()
    assert page.locator(f'table.citing a[href="{CLAIM}"]').count() == 1


def test_criterion(page):
    page.goto("/id/criterion/resection-general-resectable-fraction")
    assert "complete or >90%" in page.locator("table.facts").first.inner_text()
    assert page.locator("div.ambiguity").count() >= 1


def test_audit(page):
    page.goto("/audit")
    assert page.locator("h1").inner_text() == "Citation audit"
    assert page.locator('a[href^="/audit/recommendation/"]').count() > 10


def test_pathway(page):
    page.goto("/pathway")
    boxes = page.locator("svg.pathway a.step")
    assert boxes.count() == 5
    page.locator('svg.pathway a[href="/id/pathway/figure-3-resectable"]').click()
    page.wait_for_url(re.compile("/id/pathway/figure-3-resectable$"))
    assert "patients with resectable tumors" in page.content()


def test_editor_runs_a_query(page):
    page.goto("/editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.locator("#named-queries button", has_text="claims-per-section").click()
    page.wait_for_function(
        "() => window.nelmkgYasgui.getTab().getYasqe().getValue().includes('#+ summary')"
    )
    page.locator(".yasqe_queryButton").last.click()
    page.wait_for_selector(
        ".yasr table.dataTable tbody tr, .yasr .dataTable tbody tr", timeout=20000
    )
    assert page.locator(".yasr .dataTable tbody tr").count() > 3


def test_assessment_form(page):
    page.goto("/assess/form")
    page.check('input[name="who_grade"][value="G2"]')
    page.fill('input[name="ki67_pct"]', "10")
    page.check('input[name="extrahepatic_disease"][value="significant"]')
    page.locator('form.case button[type="submit"]').click()
    page.wait_for_selector("#result table.options")
    assert page.evaluate("() => location.hash") == "#result"  # the browser lands on the result
    statuses = page.locator("table.options td.status").all_inner_texts()
    assert len(statuses) >= 8
    assert "not eligible" in statuses  # in words, not the JSON id
    assert page.locator('table.criteria a[href^="/id/criterion/"]').count() > 5
    # what was entered is shown again
    assert page.locator('input[name="who_grade"][value="G2"]').is_checked()
    assert page.locator('input[name="ki67_pct"]').input_value() == "10"


def test_yasgui_construct_and_ask(page):
    """YASGUI (the editor's client) asks as it does for each form and gets a fitting answer."""
    page.goto("/editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    title = "nelmkg ontology: neuroendocrine liver metastases treatment evidence"
    construct = (
        "CONSTRUCT { <https://w3id.org/nelmkg/ontology> <http://purl.org/dc/terms/title> ?t } "
        "WHERE { <https://w3id.org/nelmkg/ontology> <http://purl.org/dc/terms/title> ?t }"
    )
    cases = (
        (construct, ("application/n-triples", "text/turtle", "application/ld+json"), title),
        ("ASK { ?s ?p ?o }", ("application/sparql-results+json",), "true"),
    )
    for query, types, expected in cases:
        page.evaluate("q => window.nelmkgYasgui.getTab().getYasqe().setValue(q)", query)
        with page.expect_response(lambda r: "/sparql" in r.url) as answer:
            page.locator(".yasqe_queryButton").last.click()
        response = answer.value
        assert response.status == 200
        assert response.headers["content-type"].split(";")[0] in types
        assert expected in response.text()

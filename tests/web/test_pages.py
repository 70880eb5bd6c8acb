"""The human-facing pages: linked-data resources, home, audit, pathway, editor, assessment form.

HTML is answered only to clients that name ``text/html``; resources answer RDF otherwise.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from .visible import visible_text

HTML = {"Accept": "text/html"}
ID = "https://w3id.org/nelmkg/id/"
CLAIM = "/id/claim/resection-vs-intra-arterial-5y-os"
REC = "/id/recommendation/pathway-resection-for-resectable"
CRITERION = "/id/criterion/resection-general-resectable-fraction"


def text(response) -> str:
    assert response.status_code == 200, response.data[:300]
    return response.data.decode("utf-8")


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/html", "text/html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("text/*", "text/turtle"),
    ],
)
def test_resource_negotiation(client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = client.get(CLAIM, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.vary


def test_resource_not_acceptable(client, assert_problem):
    assert_problem(client.get(CLAIM, headers={"Accept": "image/png"}), 406, "not-acceptable")


def test_resource_rdf_is_the_cbd_with_blank_nodes(client):
    turtle = Graph().parse(data=text(client.get(CLAIM)), format="turtle")
    jsonld = Graph().parse(data=text(client.get(CLAIM + "?format=jsonld")), format="json-ld")
    assert isomorphic(turtle, jsonld)
    claim = URIRef(ID + "claim/resection-vs-intra-arterial-5y-os")
    nelm = "https://w3id.org/nelmkg/ontology#"
    values = list(turtle.objects(claim, URIRef(nelm + "hasValue")))
    assert len(values) == 2  # 74% and 30%, blank nodes included with their triples
    printed = {str(turtle.value(v, URIRef(nelm + "valueAsPrinted"))) for v in values}
    assert printed == {"74%", "30%"}
    assert len(list(turtle.objects(claim, URIRef(nelm + "hasArm")))) == 2
    assert set(turtle.subjects()) - {claim} <= set(turtle.objects())  # only claim + its bnodes


@pytest.mark.parametrize(
    "path",
    [
        "/id/claim/no-such-claim",
        "/id/nothing",
        "/id/claim/..",
        "/id/claim/%2E%2E",
        "/id/claim/../review",
        "/id/review/",
    ],
)
def test_unknown_resource_is_404(client, assert_problem, path):
    """No redirect either: a dot segment or a trailing slash is not resolved to a resource.
    A browser gets the 404 as a page (tests/web/test_error_pages.py), anyone else problem+json."""
    for accept in ("application/json", "text/turtle", None):
        response = client.get(path, headers={"Accept": accept} if accept else {})
        assert "Location" not in response.headers
        assert_problem(response, 404)
    response = client.get(path, headers=HTML)
    assert "Location" not in response.headers
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_claim_page(client):
    page = text(client.get(CLAIM, headers=HTML))
    assert "a retrospective multi-institutional review of 339 patients" in page  # quote
    assert ">Outcomes</a>" in page  # section, linked
    assert "5-year OS was 74% after liver resection" in page  # statement
    assert "74%" in page and "30%" in page and "P &lt; 0.001" in page
    assert "retrospective multi-institutional review" in page  # design as stated
    assert '<a href="/id/reference/22">[22]</a>' in page
    assert 'href="/id/recommendation/pathway-resection-for-resectable"' in page  # supports
    assert "339" in page and "414" in page  # arms
    # values and arms are resources of their own (IRIs), shown as parts of the claim's page
    assert "<h2>Numbers</h2>" in page and "<h2>Study arms</h2>" in page
    assert 'href="/id/reported-value/resection-vs-intra-arterial-5y-os-os-5y-resection"' in page
    # the printed words the design label rests on, and the rule that maps them
    assert "The review's words" in page and "“versus”" in page
    assert "retrospective comparative study" in page


def test_reference_page(client):
    page = text(client.get("/id/reference/22", headers=HTML))
    assert "Mayo SC, Pawlik TM. Surgical management of neuroendocrine tumors" in page
    assert f'href="{CLAIM}"' in page


def test_criterion_page(client):
    page = text(client.get(CRITERION, headers=HTML))
    assert "complete or &gt;90%" in page  # threshold as printed
    assert "resectable" in page.lower()  # the patient fact
    assert "GreaterThan" in page or "greater than" in page.lower()  # operator
    assert 'href="/id/ambiguity/debulking-90-boundary"' in page
    assert "<h2>Provenance</h2>" in page
    assert "In general, the liver metastases should be amenable" in page


def test_recommendation_page_reaches_claims_and_references(client):
    page = text(client.get(REC, headers=HTML))
    assert "Strength as worded" in page and "“is recommended”" in page
    assert f'href="{CLAIM}"' in page
    assert "a retrospective multi-institutional review of 339 patients" in page
    assert 'href="/id/reference/22"' in page


def test_generic_page_and_review(client):
    page = text(client.get("/id/therapy/hepatic-resection", headers=HTML))
    assert "All recorded facts" in page and "Linked from" in page
    assert 'href="/id/claim/' in page
    review = text(client.get("/id/review", headers=HTML))
    assert 'href="/id/section/abstract"' in review


def test_home(client, source_graphs):
    data = json.loads(text(client.get("/")))
    kg = source_graphs["kg"]
    nelm = "https://w3id.org/nelmkg/ontology#"
    claims = set(kg.subjects(RDF.type, URIRef(nelm + "EvidenceClaim")))
    recommendations = set(kg.subjects(RDF.type, URIRef(nelm + "Recommendation")))
    assert data["counts"]["EvidenceClaim"] == len(claims)
    assert data["counts"]["Recommendation"] == len(recommendations)
    listed = {r["iri"] for r in data["recommendations"]}
    assert listed == {str(r) for r in recommendations}
    page = text(client.get("/", headers=HTML))
    for link in ("/pathway", "/audit", "/profile", "/editor", "/assess/form", "/api", REC):
        assert f'href="{link}"' in page
    # the kinds read as the ontology's labels, not class names
    onto = source_graphs["ontology"]
    shown = visible_text(page)
    for kind in ("EvidenceClaim", "BibliographicReference", "DesignGrounding"):
        assert kind not in shown
        assert str(onto.value(URIRef(nelm + kind), RDFS.label)) in shown


def test_audit_formats(client):
    data = json.loads(text(client.get("/audit")))
    assert data["flags"]
    assert {"kind", "claim", "references", "message"} <= set(data["flags"][0])
    rows = list(csv.reader(io.StringIO(text(client.get("/audit?format=csv")))))
    assert len(rows) > 1
    page = text(client.get("/audit", headers=HTML))
    assert "<h1>Citation audit</h1>" in page and 'href="/audit/recommendation/' in page
    assert 'href="/pathway"' in page  # the site's navigation


def test_pathway(client):
    svg = text(client.get("/pathway"))
    assert svg.startswith("<svg") and client.get("/pathway").mimetype == "image/svg+xml"
    for step in (
        "comprehensive-evaluation",
        "resectable",
        "unresectable-oligometastatic",
        "multifocal-bilobar",
        "significant-extrahepatic",
    ):
        assert f'href="/id/pathway/figure-3-{step}"' in svg
    assert 'href="/id/recommendation/pathway-extrahepatic-systemic"' in svg
    assert "patients with resectable tumors" in svg  # branch condition
    assert svg.count("<line ") == 4  # evaluation -> the four branches
    page = text(client.get("/pathway", headers=HTML))
    assert "<svg" in page


@pytest.mark.parametrize("path", ["/editor", "/assess/form"])
def test_html_only_pages_refuse_other_clients(client, assert_problem, path):
    assert_problem(client.get(path), 406, "not-acceptable")
    assert client.get(path, headers=HTML).mimetype == "text/html"


def test_editor(client, service):
    page = text(client.get("/editor", headers=HTML))
    assert '<script src="/static/yasgui/yasgui.min.js">' in page
    for name in service.named:
        assert f">{name}</button>" in page
    assert "PREFIX nelm: &lt;https://w3id.org/nelmkg/ontology#&gt;" not in page  # JSON, not HTML
    unescaped = page.replace("\\u003c", "<").replace("\\u003e", ">")
    assert "PREFIX nelm: <https://w3id.org/nelmkg/ontology#>" in unescaped
    assert client.get("/static/yasgui/yasgui.min.css").status_code == 200


def test_assess_form(client, source_graphs):
    page = text(client.get("/assess/form", headers=HTML))
    # one field per patient fact: the ontology's nelm:jsonKey annotations
    json_key = URIRef("https://w3id.org/nelmkg/ontology#jsonKey")
    keys = {str(k) for k in source_graphs["ontology"].objects(None, json_key)}
    assert keys
    for key in keys:
        assert f'name="{key}"' in page
    assert 'type="radio"' in page and 'value="low_volume_indolent_bone"' in page
    result = text(
        client.post(
            "/assess/form",
            data={"who_grade": "G2", "extrahepatic_disease": "significant", "ki67_pct": "10"},
            headers=HTML,
        )
    )
    assert 'id="result"' in result and 'data-status="not_eligible">not eligible<' in result
    assert 'href="/id/criterion/' in result
    bad = text(client.post("/assess/form", data={"ki67_pct": "-5"}, headers=HTML))
    assert 'href="#f-ki67_pct"' in bad and 'id="e-ki67_pct"' in bad and 'id="result"' not in bad


def test_quotes_render_the_extractions_markup(client):
    """'*vs.*' reads as italics and '$P < 0.001$' without its math delimiters; text escaped."""
    page = client.get(
        "/id/claim/resection-vs-intra-arterial-5y-os", headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    quote = page.split('<blockquote class="quote">', 1)[1].split("</blockquote>", 1)[0]
    assert quote.endswith("(74% <em>vs.</em> 30%, P &lt; 0.001)")

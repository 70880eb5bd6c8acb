"""The pages show what each design label rests on, and the review's caveats beside a recommendation.

Expectations: the review's own words (hand-written below) and the Turtle files read by rdflib,
an engine other than the Oxigraph store the pages query. Nothing is compared with the output
of the code under test.
"""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from nelmkg.graph.vocab import NELM

from .visible import visible_text

HTML = {"Accept": "text/html"}
ID = "https://w3id.org/nelmkg/id/"
CITO_SUPPORTED = NELM.supportedBy

# claim slug -> (the printed words the label rests on, the rule's label): read from the review
# ("a retrospective multi-institutional review of 339 patients … versus 414 patients …";
# "Recent systematic reviews have suggested …"; "A recent review found pooled sensitivity …")
# and from the rule table of docs/decisions/0007-design-grounding.md.
GROUNDED = {
    "resection-vs-intra-arterial-5y-os": (
        ["retrospective multi-institutional review", "versus"],
        "'retrospective' with 'versus'/'compared with' → retrospective comparative study",
    ),
    "lt-5y-os-gt50": (["systematic reviews"], "'systematic review' → systematic review"),
    "ct-pooled-sensitivity-21-2-pct": (
        ["review"],
        "'review' → review, systematic or not not stated",
    ),
}
NOT_STATED = "lt-used-infrequently"  # "… LT has been utilized relatively infrequently …"


def get(client, path, **kw):
    response = client.get(path, **kw)
    assert response.status_code == 200, response.data[:300]
    return response


@pytest.fixture(scope="module")
def all_profiles(service) -> list[dict]:
    from nelmkg.web import create_app

    client = create_app({"COMMIT": "0" * 40}, service=service).test_client()
    return json.loads(get(client, "/profile").data)


def _claims(profiles: list[dict]) -> dict[str, dict]:
    return {c["claim"]: c for p in profiles for c in p["claims"]}


@pytest.mark.parametrize("slug", sorted(GROUNDED))
def test_profile_claims_carry_the_printed_words_and_the_rule(all_profiles, slug):
    claim = _claims(all_profiles)[ID + "claim/" + slug]
    words, rule = GROUNDED[slug]
    assert claim["design"]["words"] == sorted(words)
    assert claim["design"]["rule"] == rule


def test_a_design_not_stated_has_no_words_and_no_rule(all_profiles, client):
    claim = _claims(all_profiles)[ID + "claim/" + NOT_STATED]
    assert claim["design"]["label"] == "design not stated"
    assert claim["design"]["words"] == [] and claim["design"]["rule"] is None
    page = visible_text(get(client, f"/id/claim/{NOT_STATED}", headers=HTML).get_data(True))
    assert "design not stated" in page


def test_every_profile_claim_matches_the_groundings_file(all_profiles, source_graphs):
    """Every supporting claim's words and rule are those of kg/design-groundings.ttl."""
    kg, onto = source_graphs["kg"], source_graphs["ontology"]
    claims = _claims(all_profiles)
    assert claims
    for iri, claim in claims.items():
        grounding = kg.value(URIRef(iri), NELM.designGrounding)
        if grounding is None:
            assert claim["design"]["words"] == [] and claim["design"]["rule"] is None, iri
            continue
        words = sorted(str(w) for w in kg.objects(grounding, NELM.groundingWords))
        rule = onto.value(kg.value(grounding, NELM.mappingRule), RDFS.label)
        assert claim["design"]["words"] == words, iri
        assert claim["design"]["rule"] == str(rule), iri


def test_risk_of_bias_says_which_words_ground_the_designs(all_profiles):
    for p in all_profiles:
        risk = next(d for d in p["domains"] if d["key"] == "risk_of_bias")
        for c in p["claims"]:
            for word in c["design"]["words"]:
                assert f"“{word}”" in risk["summary"], (p["label"], word)
            if not c["design"]["words"]:
                assert "the review names no design" in risk["summary"], p["label"]


@pytest.mark.parametrize(
    "path, words",
    [
        (
            "/id/claim/resection-vs-intra-arterial-5y-os",
            ["“retrospective multi-institutional review”", "“versus”"],
        ),
        ("/id/reference/1", ["“ENETS consensus guidelines”", "guideline or consensus statement"]),
        ("/profile/lt-research-before-routine-practice", ["“systematic reviews”", "Mapping rule"]),
    ],
)
def test_pages_show_the_grounding(client, path, words):
    page = visible_text(get(client, path, headers=HTML).get_data(True))
    for w in words:
        assert w in page, (path, w)


def _bearing(kg: Graph) -> dict[URIRef, set[URIRef]]:
    """Recommendation -> the caveats and research needs that bear on it, by the KG's links:
    it qualifies the recommendation, a supporting claim, a criteria set the recommendation
    concerns or a pathway leading to it; or a caveat supports it."""
    items = set(kg.subjects(RDF.type, NELM.EvidenceCaveat))
    items |= set(kg.subjects(RDF.type, NELM.ResearchNeed))
    found: dict[URIRef, set[URIRef]] = {}
    for rec in kg.subjects(RDF.type, NELM.Recommendation):
        near = {rec, *kg.objects(rec, CITO_SUPPORTED), *kg.objects(rec, NELM.concerns)}
        near |= {
            p for step in kg.subjects(NELM.leadsTo, rec) for p in kg.subjects(NELM.hasStep, step)
        }
        bearing = {i for i in items if set(kg.objects(i, NELM.qualifies)) & near}
        bearing |= items & set(kg.objects(rec, CITO_SUPPORTED))
        found[rec] = bearing
    return found


def test_profiles_list_the_caveats_the_kg_links(all_profiles, source_graphs):
    expected = _bearing(source_graphs["kg"])
    assert any(expected.values()), "the KG links some caveat or research need"
    for p in all_profiles:
        shown = {URIRef(i["item"]) for i in p["caveats"]}
        assert shown == expected[URIRef(p["recommendation"])], p["label"]


def test_the_resection_profile_quotes_the_reviews_caveat(client):
    """The Conclusions qualify the pathway: "high-quality evidence supporting one treatment
    approach over another as well as for the optimal treatment sequencing is limited"."""
    page = visible_text(
        get(client, "/profile/pathway-resection-for-resectable", headers=HTML).get_data(True)
    )
    assert "high-quality evidence supporting one treatment approach over another" in page
    assert "ongoing research will be helpful in determining the optimal indications" in page
    assert "certainty" not in page.lower().replace("no certainty rating", "")


def test_the_profile_index_lists_every_caveat_and_research_need(client, source_graphs):
    kg = source_graphs["kg"]
    page = get(client, "/profile", headers=HTML).get_data(True)
    for kind, cls in (("caveat", NELM.EvidenceCaveat), ("need", NELM.ResearchNeed)):
        listed = re.findall(
            rf'<div class="caveat" data-kind="{kind}">\s*<p><a href="([^"]+)"', page
        )
        expected = {"/id/" + str(s)[len(ID) :] for s in kg.subjects(RDF.type, cls)}
        assert set(listed) == expected and len(listed) == len(expected), kind


def test_a_claim_page_shows_the_research_need_that_qualifies_it(client):
    """need:optimal-transarterial-therapy ("additional prospective comparative studies are
    needed to define the optimal transarterial therapy") qualifies this caveat claim."""
    page = visible_text(
        get(client, "/id/claim/few-transarterial-comparisons", headers=HTML).get_data(True)
    )
    assert "Caveat about the evidence" in page  # the claim is itself one of the review's caveats
    assert "additional prospective comparative studies are needed" in page


def test_each_flag_says_what_it_is_about(client):
    """Both clauses of "Recent systematic reviews have suggested a 5-year OS of >50%, but the
    data are based on retrospective studies … (1,57)" cite reference 1, an ENETS consensus
    guideline: two design-mismatch flags that read alike. Each names its claim, linked."""
    page = get(client, "/profile/lt-research-before-routine-practice", headers=HTML).get_data(True)
    start = page.index('data-domain="risk_of_bias"')
    domain = page[start : page.index('data-domain="inconsistency"')]
    about = re.findall(r'<p class="flag-about">About: <a href="([^"]+)">', domain)
    assert sorted(about) == [
        "/id/claim/lt-5y-os-gt50",
        "/id/claim/lt-evidence-retrospective-selection-bias",
    ]

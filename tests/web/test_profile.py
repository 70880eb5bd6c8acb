"""Evidence profiles and the audit pages: one place per recommendation, exports for people.

Expectations come from the review's words (strength "is recommended", "339 patients", the DOI
that reference 23 prints) and from the data files (the GRADE domains of ``profile.toml``), not
from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib

import pytest
from openpyxl import load_workbook

from nelmkg.web.pages.evidence.evidence import CONFIG

from .visible import visible_text

HTML = {"Accept": "text/html"}
REC = "pathway-resection-for-resectable"
CLAIM = "https://w3id.org/nelmkg/id/claim/resection-vs-intra-arterial-5y-os"
DOMAINS = [d["key"] for d in tomllib.loads(CONFIG.read_text(encoding="utf-8"))["domain"]]
MARKUP = re.compile(r"\*[^*\s][^*]*\*|\$[^$]+\$")


def get(client, path, **kw):
    response = client.get(path, **kw)
    assert response.status_code == 200, response.data[:300]
    return response


def test_profile_json_follows_the_review(client):
    p = json.loads(get(client, f"/profile/{REC}").data)
    assert p["strength"] == "is recommended"
    assert p["quote"].startswith("For patients with resectable tumors, hepatic resection")
    claim = next(c for c in p["claims"] if c["claim"] == CLAIM)
    assert "339 patients with NELM" in claim["quote"]
    assert [r["number"] for r in claim["references"]] == [22]
    assert claim["references"][0]["link"]["kind"] == "search"  # the review prints no DOI for 22
    assert {a["sample_size"] for a in claim["arms"]} == {339, 414}
    assert [d["key"] for d in p["domains"]] == DOMAINS
    by_key = {d["key"]: d for d in p["domains"]}
    assert by_key["publication_bias"]["status"] == "not assessable"
    assert "not assessable from the review" in by_key["publication_bias"]["summary"].lower()
    assert "certainty" not in json.dumps(p).lower().replace("no certainty rating", "")


def test_reference_with_a_printed_doi_links_to_it(client):
    profiles = json.loads(get(client, "/profile").data)
    refs = [r for p in profiles for c in p["claims"] for r in c["references"] if r["number"] == 23]
    assert refs, "some claim cites reference 23"
    assert refs[0]["link"] == {"kind": "DOI", "url": "https://doi.org/10.3390/jcm8030403"}


def test_a_recommendation_without_claims_is_not_assessable(client):
    profiles = json.loads(get(client, "/profile").data)
    empty = [p for p in profiles if not p["claims"]]
    assert empty, "the review has recommendations no claim supports"
    for p in empty:
        statuses = {d["key"]: d["status"] for d in p["domains"]}
        assert statuses["risk_of_bias"] == "not assessable"
        assert statuses["imprecision"] == "not assessable"


def test_profile_csv_and_xlsx_are_for_people(client):
    text = get(client, f"/profile/{REC}?format=csv").data.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.removeprefix("\ufeff").split("\r\n\r\n")[0]
    rows = list(csv.reader(io.StringIO(lines)))[1:]
    header, body = rows[0], rows[1:]
    p = json.loads(get(client, f"/profile/{REC}").data)
    assert len(body) == len(p["claims"])
    for row in body:
        cells = dict(zip(header, row, strict=True))
        for column, value in cells.items():
            if column != "Reference links":
                assert "w3id.org" not in value and not MARKUP.search(value), (column, value)
    book = load_workbook(io.BytesIO(get(client, f"/profile/{REC}?format=xlsx").data))
    assert book.sheetnames == ["Supporting claims", "GRADE domains", "Caveats and research"]
    assert book["Supporting claims"].max_row == 1 + len(p["claims"])
    assert book["GRADE domains"].max_row == 1 + len(DOMAINS)
    assert book["Caveats and research"].max_row == 1 + len(p["caveats"])


def test_audit_index_has_one_page_per_recommendation(client):
    report = json.loads(get(client, "/audit").data)
    page = get(client, "/audit", headers=HTML).get_data(as_text=True)
    links = set(re.findall(r'href="(/audit/recommendation/[^"#]+)"', page))
    assert len(links) == len(report["recommendations"])
    one = get(client, f"/audit/recommendation/{REC}", headers=HTML).get_data(as_text=True)
    headings = re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", one, re.S)
    assert headings and all("<a " in h for h in headings), "every heading links back"
    assert len(one) < len(page) * 10


def test_audit_exports(client):
    report = json.loads(get(client, "/audit").data)
    text = get(client, "/audit?format=csv").data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == len(report["flags"])
    book = load_workbook(io.BytesIO(get(client, "/audit?format=xlsx").data))
    assert book.active.max_row == 1 + len(report["flags"])


PAGES = [
    "/",
    f"/id/recommendation/{REC}",
    "/id/claim/resection-vs-intra-arterial-5y-os",
    "/id/reference/22",
    "/id/criterion/resection-general-resectable-fraction",
    "/id/therapy/hepatic-resection",
    "/audit",
    f"/audit/recommendation/{REC}",
    "/audit/kind/uncited-claim",
    "/audit/kind/differing-figures",
    f"/profile/{REC}",
    "/profile",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_read_in_words(client, path):
    """No vocabulary names, raw IRIs, blank-node markers or raw markup in what a reader sees."""
    text = visible_text(get(client, path, headers=HTML).get_data(as_text=True))
    for bad in ("nelm:", "rdf:", "rdfs:", "[blank node]", "https://w3id.org/"):
        assert bad not in text, f"{path} shows {bad!r}"
    assert not MARKUP.search(text), MARKUP.search(text)


@pytest.mark.parametrize(
    "path",
    [
        f"/id/recommendation/{REC}",
        "/id/claim/resection-vs-intra-arterial-5y-os",
        "/id/reference/22",
        "/id/criterion/resection-general-resectable-fraction",
    ],
)
def test_flags_shown_inline_with_a_link_into_the_audit(client, path):
    page = get(client, path, headers=HTML).get_data(as_text=True)
    assert 'id="flags"' in page or 'data-flag="' in page
    assert 'href="/audit' in page

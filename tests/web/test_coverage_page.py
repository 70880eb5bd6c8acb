"""``/coverage``: the review's sentences in order, with what quotes them (issue 9 §2's page).

Expectations come from the review's own words and the reviewed exclusion file, not from the
coverage code: a sentence the KG is known to quote links its claim; an excluded sentence shows
the file's reason; without the review text the page says how to configure it.
"""

from __future__ import annotations

import html
import json
import re
import tomllib

from nelmkg import paths

from .conftest import check_problem

# A sentence of the review and a resource that quotes it (kg/claims-*.ttl).
QUOTED = (
    "Recent systematic reviews have suggested a 5-year OS of >50%",
    "claim:lt-evidence-retrospective-selection-bias",
)


def _html(client) -> str:
    response = client.get("/coverage", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return html.unescape(response.get_data(as_text=True))


def test_a_quoted_sentence_links_the_resource_quoting_it(client, review_path):
    page = _html(client)
    sentence, curie = QUOTED
    row = next(r for r in page.split("<tr ") if sentence in r)
    assert f'href="/id/claim/{curie.split(":")[1]}"' in row
    assert 'data-status="quoted"' in row


def test_an_excluded_sentence_shows_its_reviewed_reason(client, review_path):
    with paths.coverage_exclusions_file().open("rb") as handle:
        entry = tomllib.load(handle)["sentence"][0]
    page = _html(client)
    row = next(r for r in page.split("<tr ") if entry["starts"][:60] in r)
    assert 'data-status="excluded"' in row
    assert entry["reason"] in row


def test_every_row_is_a_unit_of_the_review_in_order(client, review_path, review_text):
    body = json.loads(client.get("/coverage").data)
    rows = body["rows"]
    assert [r["index"] for r in rows] == sorted(r["index"] for r in rows)
    flat = re.sub(r"\s+", " ", review_text)
    body_rows = [r for r in rows if r["kind"] == "body"]
    assert body_rows, "the body's sentences are listed"
    for row in body_rows[:40]:  # the first sentences of the body, word for word
        assert row["text"][:50] in flat, row["text"][:80]
    assert body["summary"]["gap"] == 0


def test_without_the_review_text_the_page_says_how_to_configure_it(client, monkeypatch):
    monkeypatch.delenv(paths.REVIEW_ENV, raising=False)
    problem = check_problem(client.get("/coverage"), 404, "coverage-unavailable")
    assert paths.REVIEW_ENV in problem["detail"]


def test_home_links_the_page(client):
    home = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/coverage"' in home

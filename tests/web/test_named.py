"""``/queries``: the named queries are listed, run by name, and take parameters safely."""

from __future__ import annotations

import pytest

from nelmkg import paths
from nelmkg.graph.params import parse_example
from nelmkg.graph.queries import QueryError, load_queries
from nelmkg.web.service import build_service

EVIDENCE = load_queries(paths.queries_dir("evidence"))
EXAMPLES = [(q.name, e) for q in EVIDENCE.values() for e in q.examples if "=" in e]
WITH_PARAMS = sorted(q.name for q in EVIDENCE.values() if q.params)


def test_list_has_every_evidence_query(client):
    response = client.get("/queries")
    assert response.status_code == 200 and response.mimetype == "application/json"
    listed = {q["name"]: q for q in response.get_json()["queries"]}
    assert set(listed) == set(EVIDENCE) and listed
    for name, entry in listed.items():
        assert entry["summary"] == EVIDENCE[name].summary
        assert entry["params"] == list(EVIDENCE[name].params)
        assert entry["form"] in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
        assert entry["url"] == f"/queries/{name}"


def test_list_as_html(client):
    response = client.get("/queries", headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    assert b"web-annotations" in response.data


def test_list_not_acceptable(client, assert_problem):
    assert_problem(client.get("/queries", headers={"Accept": "image/png"}), 406, "not-acceptable")


def test_examples_collected():
    assert EXAMPLES, "no evidence query declares an example with parameters"


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[f"{n}:{e}" for n, e in EXAMPLES])
def test_every_example_runs(client, name, example):
    listed = {q["name"]: q for q in client.get("/queries").get_json()["queries"]}
    urls = [e["url"] for e in listed[name]["examples"] if e["text"] == example]
    assert urls and urls[0]
    response = client.get(urls[0])
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype in ("application/sparql-results+json", "text/turtle")


def test_bound_parameter_narrows_the_result(client):
    assert "claim-detail" in EVIDENCE
    bound = client.get("/queries/claim-detail?claim=claim:resection-vs-intra-arterial-5y-os")
    rows = bound.get_json()["results"]["bindings"]
    assert rows
    assert all(r["quote"]["value"] == rows[0]["quote"]["value"] for r in rows)


def test_optional_parameter_left_out_answers_for_every_value(client):
    query = EVIDENCE["guideline-statements"]
    assert query.params == ("guideline",) and query.required == ()
    one = client.get(
        "/queries/guideline-statements?guideline=gl:enets-2012-liver-distant-metastases"
    )
    every = client.get("/queries/guideline-statements")
    assert every.status_code == one.status_code == 200
    assert len(every.get_json()["results"]["bindings"]) > len(one.get_json()["results"]["bindings"])


# Written from the headers: which parameters a query cannot do without.
REQUIRED = {"claim-detail": ("claim",), "therapy-comparisons": ("a",), "uncited-statements": ()}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_required_parameters_are_parsed(name):
    assert EVIDENCE[name].required == REQUIRED[name]


def test_missing_required_parameter_is_400_not_every_row(client, assert_problem):
    response = client.get("/queries/claim-detail")
    body = assert_problem(response, 400, "missing-parameter", parameter="claim")
    assert "/queries/claim-detail?claim=" in body["detail"]
    partial = client.get("/queries/therapy-comparisons?b=th:tace")
    assert_problem(partial, 400, "missing-parameter", parameter="a")


def test_parameter_values_are_never_query_text(client):
    name = WITH_PARAMS[0]
    param = EVIDENCE[name].params[0]
    hostile = '"} UNION { ?s ?p ?o } #'
    response = client.get(f"/queries/{name}", query_string={param: hostile})
    assert response.status_code == 200
    assert response.get_json()["results"]["bindings"] == []


@pytest.mark.parametrize(
    ("query_string", "status", "slug"),
    [
        ("nope=1", 400, "unknown-parameter"),
        ("PARAM=ref:21&PARAM=ref:22", 400, "repeated-parameter"),
        ("PARAM=", 400, "bad-parameter"),
        ("PARAM=%3Chttp%3A%2F%2Fa%20b%3E", 400, "bad-parameter"),
        ("PARAM=%FF", 400, "not-utf8"),
        ("PARAM=ref:21&format=yaml", 400, "unknown-format"),
    ],
)
def test_bad_parameters(client, assert_problem, query_string, status, slug):
    name = WITH_PARAMS[0]
    param = EVIDENCE[name].params[0]
    response = client.get(f"/queries/{name}?{query_string.replace('PARAM', param)}")
    assert_problem(response, status, slug)


def test_unknown_query(client, assert_problem):
    assert_problem(client.get("/queries/no-such-query"), 404, "unknown-query")


def test_named_query_conneg(client):
    response = client.get("/queries/web-annotations", headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    example = EVIDENCE[WITH_PARAMS[0]].examples[0]
    csv = client.get(f"/queries/{WITH_PARAMS[0]}?{example}&format=csv")
    assert csv.mimetype == "text/csv"


def test_named_query_row_cap(make_app):
    client = make_app(MAX_ROWS=2).test_client()
    response = client.get("/queries/web-annotations", headers={"Accept": "application/n-triples"})
    assert len(response.data.decode().strip().splitlines()) == 2
    assert response.headers["Nelmkg-Truncated"] == "true"


def test_examples_parse_as_declared():
    for name, example in EXAMPLES:
        assert parse_example(example, EVIDENCE[name].params), (name, example)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("#+ summary: broken\nSELECT * WHERE { ?s ?p }", "broken.rq"),
        ("#+ summary: remote\nSELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
        (
            "#+ summary: clash\n#+ params: format\nSELECT ?format WHERE { ?format ?p ?o }",
            "reserved",
        ),
    ],
)
def test_a_broken_named_query_stops_start_up(tmp_path, text, message):
    (tmp_path / "broken.rq").write_text(text, encoding="utf-8")
    with pytest.raises(QueryError, match=message):
        build_service(queries_dir=tmp_path)

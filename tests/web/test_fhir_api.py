"""FHIR over HTTP: Bundles on /assess and /validate, OperationOutcome, /fhir/..., CDS Hooks.

OperationOutcomes and CodeSystems are validated with the ``fhir.resources`` R4B models; CDS
Hooks answers with the JSON Schema subset written from the CDS Hooks 1.0 specification
(``tests/data/fhir/cds-hooks-1.0.schema.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.operationoutcome import OperationOutcome
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, SH

from nelmkg import paths
from nelmkg.fhir.service import example_files
from nelmkg.testing.fhir_bundles import case_observation, make_bundle, quantity
from nelmkg.web.pages.openapi import OPERATIONS

from .conftest import check_problem

FHIR = "application/fhir+json"
DATA = Path(__file__).parent.parent / "data" / "fhir"
SCHEMA = json.loads((DATA / "cds-hooks-1.0.schema.json").read_text())
SAMPLE = example_files()["sample-bundle.json"].read_bytes()
SAMPLE_CASE = paths.root() / "server" / "nelmkg" / "web" / "static" / "sample-case.json"
SERVICE = "/cds-services/nelmkg-treatment-options"
STATUS_WORDS = ("eligible", "indeterminate", "ambiguous", "not_applicable")


def _cds_schema(name: str) -> dict:
    return {**SCHEMA, "$ref": f"#/$defs/{name}"}


def check_outcome(response, status: int) -> dict:
    """Assert an OperationOutcome with ``status`` that the R4B model accepts; return it."""
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == FHIR
    body = json.loads(response.data)
    OperationOutcome.model_validate(body)
    assert body["issue"] and all(i["details"]["text"] for i in body["issue"])
    text = json.dumps(body)
    assert "Traceback" not in text
    return body


def _post(client, bundle, media=FHIR, path="/assess"):
    data = bundle if isinstance(bundle, bytes) else json.dumps(bundle).encode()
    return client.post(path, data=data, headers={"Content-Type": media})


def test_sample_bundle_same_verdict_as_sample_case(client):
    fhir = json.loads(_post(client, SAMPLE).data)
    plain = json.loads(
        client.post("/assess", data=SAMPLE_CASE.read_bytes(), content_type="application/json").data
    )
    assert {k: v["status"] for k, v in fhir["options"].items()} == {
        k: v["status"] for k, v in plain["options"].items()
    }
    assert fhir["mapping"]["ignored"][0]["reason"] == "status entered-in-error"
    assert "mapping" not in plain


@pytest.mark.parametrize("media", [FHIR, "application/json"])
def test_bundle_by_either_media_type(client, media):
    response = _post(client, SAMPLE, media)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert json.loads(response.data)["case"] == "case-01"


def test_bundles_in_a_batch_mixed_with_plain_cases(client):
    bad = make_bundle(case_observation("ki67_pct"))  # no value
    body = b"[" + SAMPLE + b"," + json.dumps(bad).encode() + b',{"id": "plain"}]'
    out = json.loads(client.post("/assess", data=body, content_type="application/json").data)
    assert [(e["case"], e["well_formed"]) for e in out] == [
        ("case-01", True),
        (None, False),
        ("plain", True),
    ]
    assert out[1]["violations"][0]["issue"][0]["code"] == "required"
    lines = b"\n".join(json.dumps(json.loads(b)).encode() for b in (SAMPLE, b'{"id": "p"}'))
    nd = client.post("/assess", data=lines, content_type="application/x-ndjson")
    assert [json.loads(x)["case"] for x in nd.data.splitlines()] == ["case-01", "p"]


def _bad_bundles() -> list[tuple[str, object, int]]:
    # 10,000 extensions within extensions, written as text (json.dumps itself would recurse)
    opening = '{"url": "http://example.org/x", "extension": [' * 10_000
    deep = opening + '{"url": "http://example.org/x", "valueString": "x"}' + "]}" * 10_000
    nested = SAMPLE.replace(
        b'"id": "case-01",', b'"id": "case-01", "extension": [' + deep.encode() + b"],"
    )
    assert nested != SAMPLE
    # 100 levels: parses, but deeper than the service reads (the models would recurse)
    deep = opening[: len(opening) // 100] + '{"url": "http://example.org/x", "valueString": "x"}'
    deep += "]}" * 100
    hundred = SAMPLE.replace(
        b'"id": "case-01",', b'"id": "case-01", "extension": [' + deep.encode() + b"],"
    )
    many = make_bundle(*[case_observation("bilobar", valueBoolean=True)] * 9_999)
    conflict = make_bundle(
        case_observation("ki67_pct", effectiveDateTime="2024-01-01", **quantity(10, "%")),
        case_observation("ki67_pct", effectiveDateTime="2024-01-01", **quantity(60, "%")),
    )
    return [
        ("wrong-resource-type", {"resourceType": "Patient", "id": "p"}, 422),
        ("not-json", b'{"resourceType": "Bundle", ', 400),
        ("no-value", make_bundle(case_observation("ki67_pct")), 422),
        ("unknown-unit", make_bundle(case_observation("ki67_pct", **quantity(5, "furlong"))), 422),
        ("conflict", conflict, 422),
        ("ten-thousand-entries", many, 413),
        ("deep-extensions-10000", nested, 400),
        ("deep-extensions-100", hundred, 422),
        ("unknown-resource", make_bundle({"resourceType": "Frobnicate"}), 422),
        ("no-patient", {"resourceType": "Bundle", "type": "collection"}, 422),
        ("model-invalid", make_bundle({"resourceType": "Observation", "code": {}}), 422),
        # only the R4 models see these: a month 13 and an element Patient does not have
        ("model-invalid-date", make_bundle(patient={"birthDate": "1970-13-01"}), 422),
        ("model-unknown-element", make_bundle(patient={"shoeSize": 44}), 422),
        ("shape-violation", make_bundle(case_observation("ki67_pct", **quantity(101, "%"))), 422),
    ]


BAD = _bad_bundles()


@pytest.mark.parametrize(("name", "bundle", "status"), BAD, ids=[b[0] for b in BAD])
def test_bad_bundles_get_an_operation_outcome(client, name, bundle, status):
    body = check_outcome(_post(client, bundle), status)
    if name == "deep-extensions-100":  # refused by the depth bound, before the models recurse
        assert body["issue"][0]["code"] == "too-costly"
    text = json.dumps(body)
    assert not any(word in text for word in STATUS_WORDS)  # no conclusions in an outcome


@pytest.mark.parametrize(("name", "bundle", "status"), BAD, ids=[b[0] for b in BAD])
def test_bad_bundles_as_plain_json_get_problem_json(client, name, bundle, status):
    response = _post(client, bundle, "application/json")
    if name == "shape-violation":  # plain JSON callers get well_formed: false, as for JSON
        body = json.loads(response.data)
        assert response.status_code == 200 and body["well_formed"] is False
        assert body["violations"][0]["derived_from"]["entry"] == 1
        return
    slug = {400: "case-syntax", 413: "fhir-too-large"}.get(status)
    if slug is None:
        invalid = ("wrong", "deep", "unknown-resource", "no-patient", "model")
        slug = "fhir-invalid-bundle" if name.startswith(invalid) else "fhir-data-problem"
    body = check_problem(response, status, slug)
    if status != 400:
        assert body["issue"][0]["details"]["text"]


def test_outcome_points_at_the_value(client):
    body = check_outcome(
        _post(client, make_bundle(case_observation("ki67_pct", **quantity(5, "furlong")))), 422
    )
    assert body["issue"][0]["expression"] == ["Bundle.entry[1].resource.valueQuantity.code"]
    assert body["issue"][0]["code"] == "code-invalid"


def test_validate_answers_report_and_case_graph_with_provenance(client):
    bundle = make_bundle(case_observation("ki67_pct", **quantity(101, "%")))
    response = _post(client, bundle, path="/validate")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    url = URIRef(bundle["entry"][1]["fullUrl"])
    [result] = graph.subjects(SH.resultPath, None)
    assert (result, PROV.wasDerivedFrom, url) in graph  # the violation cites its entry
    assert len(list(graph.subjects(PROV.wasDerivedFrom, url))) == 2  # ... and the fact does


def test_validate_bad_bundle_is_an_outcome(client):
    check_outcome(_post(client, {"resourceType": "Bundle"}, path="/validate"), 422)


@pytest.mark.parametrize("name", ["case", "case-value"])
def test_codesystems_are_valid_and_served_at_their_iri_path(client, name):
    response = client.get(f"/fhir/CodeSystem/{name}")
    assert response.status_code == 200 and response.mimetype == FHIR
    body = json.loads(response.data)
    CodeSystem.model_validate(body)
    assert body["url"] == f"https://w3id.org/nelmkg/fhir/CodeSystem/{name}"
    assert body["count"] == len(body["concept"]) > 0


def test_mapping_is_served(client):
    body = json.loads(client.get("/fhir/mapping").data)
    ki67 = next(k for k in body["keys"] if k["key"] == "ki67_pct")
    assert {"system": "http://loinc.org", "code": "29593-1"}.items() <= ki67["codes"][1].items()
    assert all(c.get("source") for k in body["keys"] for c in k["codes"][1:])


def test_sample_bundle_is_served_as_shipped(client):
    response = client.get("/fhir/examples/sample-bundle.json")
    assert response.mimetype == FHIR and response.data == SAMPLE
    assert client.get("/fhir/examples/nothing.json").status_code == 404


def test_api_page_and_readme_show_the_curl_call(client):
    page = client.get("/api").data.decode()
    assert "/fhir/examples/sample-bundle.json" in page
    assert "Content-Type: application/fhir+json" in page
    readme = (paths.root() / "README.md").read_text()
    assert "--data-binary @server/nelmkg/fhir/examples/sample-bundle.json" in readme


def _call(prefetch=None, **changes):
    body = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"patientId": "case-01", "userId": "Practitioner/1"},
        "prefetch": {"case": json.loads(SAMPLE)} if prefetch is None else prefetch,
    }
    body.update(changes)
    return body


def test_cds_discovery(client):
    body = json.loads(client.get("/cds-services").data)
    jsonschema.validate(body, _cds_schema("discovery"))
    assert [s["hook"] for s in body["services"]] == ["patient-view"]


def test_cds_cards(client, assessor):
    response = client.post(SERVICE, json=_call())
    assert response.status_code == 200
    body = json.loads(response.data)
    jsonschema.validate(body, _cds_schema("response"))
    assert len(body["cards"]) == len(assessor.options)
    for card in body["cards"]:
        assert card["source"]["label"].startswith("Cloyd et al. 2020")
        assert "/id/criteria-set/" in card["source"]["url"]
        assert all("/id/criterion/" in link["url"] for link in card["links"])
        assert "<" not in card["detail"].replace("\\<", "")  # Markdown without HTML
    indicators = {c["summary"].split(": ")[-1]: c["indicator"] for c in body["cards"]}
    assert indicators["not eligible"] == "info"
    card = next(c for c in body["cards"] if "multifocal" in c["summary"].lower())
    undecided = card["detail"].split("**Left undecided by the review**")[1]
    assert "Multifocal liver disease" in undecided and ": 3 " in undecided


@pytest.mark.parametrize(
    ("call", "status"),
    [
        (_call(hook="order-sign"), 400),
        (_call(context={}), 400),
        (_call(hookInstance=None), 400),
        (_call(prefetch={}), 412),
        (_call(prefetch={"case": {"resourceType": "Patient"}}), 422),
        (_call(prefetch={"case": None}), 412),
        (_call(prefetch={"case": make_bundle(case_observation("ki67_pct"))}), 422),
        (_call(context={"patientId": "someone-else"}), 422),
        (  # Ki-67 101%: breaks the case shapes, a data problem, never an empty card list
            _call(
                prefetch={
                    "case": make_bundle(
                        case_observation("ki67_pct", **quantity(101, "%")),
                        patient={"id": "case-01"},
                    )
                }
            ),
            422,
        ),
    ],
)
def test_cds_problems_are_outcomes_never_cards(client, call, status):
    response = client.post(SERVICE, json=call)
    body = check_outcome(response, status)
    assert "cards" not in body


def test_cds_unknown_service_and_bad_json(client):
    check_outcome(client.post("/cds-services/nothing", json=_call()), 404)
    check_outcome(client.post(SERVICE, data=b"{", content_type="application/json"), 400)


def test_docs_list_every_fhir_and_cds_route(app):
    doc = (paths.root() / "docs" / "fhir.md").read_text()
    rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith(("/fhir", "/cds"))}
    assert rules == {r for r in OPERATIONS if r.startswith(("/fhir", "/cds"))}  # and in OpenAPI
    for rule in rules:
        shown = rule.replace("<name>", "").replace("<service_id>", "nelmkg-treatment-options")
        assert shown.rstrip("/") in doc, rule


def test_long_titles_keep_the_summary_under_140(fhir_service):
    from dataclasses import replace

    maker = replace(
        fhir_service.cards,
        titles={"x": "A very long criteria-set title " * 10},
        pages={"x": "https://w3id.org/nelmkg/id/criteria-set/x"},
    )
    card = maker.card("x", {"status": "indeterminate", "criteria": []}, "http://h/")
    assert len(card["summary"]) < 140 and card["summary"].endswith("facts missing")


def test_readme_call_on_the_live_server(live_server):
    """The README's curl call, as curl sends it, to a real ``nelmkg serve`` (gunicorn)."""
    import urllib.request

    base = live_server[0]
    request = urllib.request.Request(
        f"{base}/assess", data=SAMPLE, headers={"Content-Type": FHIR}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.loads(response.read())
    assert body["case"] == "case-01" and body["mapping"]["bundle"]["entries"] == 30
    call = json.dumps(_call()).encode()
    request = urllib.request.Request(
        f"{base}{SERVICE}", data=call, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        cards = json.loads(response.read())["cards"]
    assert all(link["url"].startswith(base) for c in cards for link in c["links"])

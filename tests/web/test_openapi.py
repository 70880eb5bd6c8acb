"""``/openapi.json`` describes exactly the public routes, and ``/api`` renders it.

The routes are a hand-written table (:data:`PUBLIC_ROUTES`): the OpenAPI document must list
exactly those, and the app's ``url_map`` must serve exactly those (plus Flask's static files).
Both are compared with the table, never with each other, so a route added to the app and to
the document generated from it still fails until someone writes it down here.
"""

from __future__ import annotations

import html

import pytest
from rdflib import URIRef

from nelmkg import paths

# (Flask rule, OpenAPI path, methods): every route a client may call, written by hand (from
# docs/service.md, docs/case-api.md, docs/fhir.md and the README's page table); add a row
# when a route is added.
PUBLIC_ROUTES = [
    ("/", "/", {"get"}),
    ("/api", "/api", {"get"}),
    ("/assess", "/assess", {"post"}),
    ("/assess/form", "/assess/form", {"get", "post"}),
    ("/.well-known/void", "/.well-known/void", {"get"}),
    ("/audit", "/audit", {"get"}),
    ("/audit/kind/<name>", "/audit/kind/{name}", {"get"}),
    ("/audit/recommendation/<slug>", "/audit/recommendation/{slug}", {"get"}),
    ("/cds-services", "/cds-services", {"get"}),
    ("/changes", "/changes", {"get"}),
    ("/coverage", "/coverage", {"get"}),
    ("/cds-services/<service_id>", "/cds-services/{service_id}", {"post"}),
    ("/context.jsonld", "/context.jsonld", {"get"}),
    ("/context/<name>.jsonld", "/context/{name}.jsonld", {"get"}),
    ("/editor", "/editor", {"get"}),
    ("/fhir/CodeSystem/<name>", "/fhir/CodeSystem/{name}", {"get"}),
    ("/fhir/examples/<name>", "/fhir/examples/{name}", {"get"}),
    ("/fhir/mapping", "/fhir/mapping", {"get"}),
    ("/healthz", "/healthz", {"get"}),
    ("/metrics", "/metrics", {"get"}),
    ("/id/<kind>/<slug>", "/id/{kind}/{slug}", {"get"}),
    ("/id/<name>", "/id/{name}", {"get"}),
    ("/ontology", "/ontology", {"get"}),
    ("/ontology/<version>", "/ontology/{version}", {"get"}),
    ("/openapi.json", "/openapi.json", {"get"}),
    ("/pathway", "/pathway", {"get"}),
    ("/profile", "/profile", {"get"}),
    ("/profile/<slug>", "/profile/{slug}", {"get"}),
    ("/queries", "/queries", {"get"}),
    ("/queries/<name>", "/queries/{name}", {"get"}),
    ("/readyz", "/readyz", {"get"}),
    ("/sparql", "/sparql", {"get", "post"}),
    ("/sparql/", "/sparql/", {"get", "post"}),
    ("/validate", "/validate", {"post"}),
    ("/version", "/version", {"get"}),
]
# Flask's own static-file route: served, but not an API operation, so not documented.
STATIC_ROUTE = ("/static/<path:filename>", {"get"})


def served(app) -> dict[str, set[str]]:
    """Return Flask rule -> methods (lower case, without the implicit HEAD and OPTIONS)."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
        found.setdefault(rule.rule, set()).update(methods)
    return found


def test_the_document_lists_exactly_the_public_routes(client):
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {path: set(operations) for path, operations in doc["paths"].items()}
    assert documented == {path: methods for _, path, methods in PUBLIC_ROUTES}


def test_the_app_serves_exactly_the_public_routes(app):
    expected = {rule: methods for rule, _, methods in PUBLIC_ROUTES}
    expected[STATIC_ROUTE[0]] = STATIC_ROUTE[1]
    assert served(app) == expected


@pytest.mark.parametrize(
    ("rule", "path", "methods"), PUBLIC_ROUTES, ids=[r[0] for r in PUBLIC_ROUTES]
)
def test_every_operation_has_a_summary_and_responses(client, rule, path, methods):
    doc = client.get("/openapi.json").get_json()
    for method in methods:
        operation = doc["paths"][path][method]
        assert operation["summary"], (path, method)
        assert operation["responses"], (path, method)


def test_case_schema_has_every_patient_fact(client, source_graphs):
    doc = client.get("/openapi.json").get_json()
    schema = doc["components"]["schemas"]["Case"]
    # the keys are the ontology's nelm:jsonKey annotations (the edited source of the case format)
    json_key = URIRef("https://w3id.org/nelmkg/ontology#jsonKey")
    keys = {str(k) for k in source_graphs["ontology"].objects(None, json_key)}
    assert keys and set(schema["properties"]) == {"id", *keys}
    assert schema["additionalProperties"] is False
    ki67 = schema["properties"]["ki67_pct"]
    assert (ki67["minimum"], ki67["maximum"]) == (0, 100)
    assert schema["properties"]["largest_lesion_cm"]["exclusiveMinimum"] == 0
    assert schema["properties"]["who_grade"]["enum"] == ["G1", "G2", "G3", None]
    assert schema["properties"]["liver_lesion_count"]["type"][0] == "integer"
    assert schema["examples"][0]["id"] == "case-01"
    assert {"type", "title", "status", "detail", "instance"} <= set(
        doc["components"]["schemas"]["Problem"]["required"]
    )


def test_named_query_names_are_listed(client):
    doc = client.get("/openapi.json").get_json()
    (name,) = [
        p for p in doc["paths"]["/queries/{name}"]["get"]["parameters"] if p["name"] == "name"
    ]
    files = sorted(f.stem for f in (paths.root() / "queries" / "evidence").glob("*.rq"))
    assert files and name["schema"]["enum"] == files


def test_api_page_is_local_html(client):
    response = client.get("/api")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = html.unescape(response.data.decode())
    assert "/assess" in page and "/validate" in page and "case-01" in page
    # The examples name the server's own address (the test client's is http://localhost/).
    assert "curl 'http://localhost/version'" in page
    assert "http://" not in page.replace("http://localhost/", "")
    assert "https://cdn" not in page
    assert client.get("/static/api.js").status_code == 200

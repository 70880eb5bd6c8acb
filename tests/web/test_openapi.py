"""``/openapi.json`` describes every route, and ``/api`` renders it."""

from __future__ import annotations

from nelmkg.cases.context import load_context
from nelmkg.web.pages.openapi import OPERATIONS, openapi_path


def rules(app) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            found.setdefault(openapi_path(rule.rule), set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}
            )
    return found


def test_every_route_is_documented_and_every_documented_route_exists(app, client):
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {path: set(ops) for path, ops in doc["paths"].items()}
    assert documented == rules(app)


def test_the_operation_table_names_only_real_routes(app):
    real = {r.rule for r in app.url_map.iter_rules()}
    assert set(OPERATIONS) <= real
    for path in (
        "/sparql",
        "/queries",
        "/queries/<name>",
        "/validate",
        "/assess",
        "/context.jsonld",
        "/healthz",
        "/version",
        "/openapi.json",
        "/api",
    ):
        assert path in OPERATIONS


def test_case_schema_comes_from_the_context(client):
    doc = client.get("/openapi.json").get_json()
    schema = doc["components"]["schemas"]["Case"]
    keys = load_context().keys
    assert set(schema["properties"]) == {"id", *keys}
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


def test_named_query_names_are_listed(client, service):
    doc = client.get("/openapi.json").get_json()
    (name,) = [
        p for p in doc["paths"]["/queries/{name}"]["get"]["parameters"] if p["name"] == "name"
    ]
    assert name["schema"]["enum"] == sorted(service.named)


def test_api_page_is_local_html(client):
    response = client.get("/api")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.data.decode()
    assert "/assess" in page and "/validate" in page and "case-01" in page
    assert "http://" not in page.replace("http://127.0.0.1:8000", "")
    assert "https://cdn" not in page
    assert client.get("/static/api.js").status_code == 200

"""``GET /openapi.json`` and ``GET /api``: the service described, and a page to browse it.

The OpenAPI document (:mod:`nelmkg.web.pages.openapi`) is built on first request and kept by the
service (the routes and data never change while the app runs).
``/api`` renders it as a hand-made HTML page — routes, parameters, an example ``curl`` per
route, and a form that posts the sample case to ``/assess`` or ``/validate`` — using only
``static/api.js``: no CDN, no external library.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template

from nelmkg.web.pages import openapi
from nelmkg.web.service import current

bp = Blueprint("api", __name__)
EXAMPLE_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 5"
SAMPLE_BUNDLE = "sample-bundle.json"  # shipped in nelmkg/fhir/examples, served by /fhir/examples
FHIR_EXAMPLE = (
    f"curl -o {SAMPLE_BUNDLE} 'http://127.0.0.1:8000/fhir/examples/{SAMPLE_BUNDLE}'\n"
    "curl -X POST 'http://127.0.0.1:8000/assess' -H 'Content-Type: application/fhir+json' "
    f"--data-binary @{SAMPLE_BUNDLE}"
)


def document() -> dict[str, Any]:
    """Return the app's OpenAPI document (built once)."""
    service = current()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    routes = tuple(sorted((r.rule, r.endpoint) for r in app.url_map.iter_rules()))
    return service.built(
        ("openapi", routes),  # keyed by the routes: the document describes this app's
        lambda: openapi.build(app, service.assessor.context, sorted(service.named)),
    )


# Path template -> the value its {name} or {service_id} takes in the example.
EXAMPLE_NAMES = {
    "/context/{name}.jsonld": "case-v1",
    "/fhir/CodeSystem/{name}": "case",
    "/fhir/examples/{name}": SAMPLE_BUNDLE,
    "/cds-services/{service_id}": "nelmkg-treatment-options",
}


def example(path: str, method: str) -> str:
    """Return an example ``curl`` command for one operation."""
    name = EXAMPLE_NAMES.get(path, "ambiguities")
    url = "http://127.0.0.1:8000" + path.replace("{name}", name).replace("{service_id}", name)
    if path.startswith("/sparql"):
        return f"curl -G '{url}' --data-urlencode 'query={EXAMPLE_QUERY}'"
    if path.startswith("/cds-services/"):
        return f"curl -X POST '{url}' -H 'Content-Type: application/json' -d @cds-request.json"
    if method == "post":
        accept = " -H 'Accept: text/turtle'" if path == "/validate" else ""
        return f"curl -X POST '{url}' -H 'Content-Type: application/json'{accept} -d @case.json"
    return f"curl '{url}'"


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """Serve the OpenAPI 3.1 document."""
    return jsonify(document())


@bp.get("/api")
def page() -> str:
    """Serve the browsable API page."""
    doc = document()
    sample = json.dumps(doc["components"]["schemas"]["Case"]["examples"][0], indent=2)
    routes = [
        {"path": path, "method": method.upper(), "op": op, "example": example(path, method)}
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    ]
    keys = doc["components"]["schemas"]["Case"]["properties"]
    return render_template(
        "api.html", doc=doc, routes=routes, sample=sample, keys=keys, fhir_example=FHIR_EXAMPLE
    )

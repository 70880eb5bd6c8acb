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

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from nelmkg.web.pages import openapi
from nelmkg.web.service import current

bp = Blueprint("api", __name__)
EXAMPLE_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 5"
SAMPLE_BUNDLE = "sample-bundle.json"  # shipped in nelmkg/fhir/examples, served by /fhir/examples


def fhir_example(base: str) -> str:
    """Return the two commands that fetch the sample Bundle and assess it on ``base``."""
    base = base.rstrip("/")
    return (
        f"curl -o {SAMPLE_BUNDLE} '{base}/fhir/examples/{SAMPLE_BUNDLE}'\n"
        f"curl -X POST '{base}/assess' -H 'Content-Type: application/fhir+json' "
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


EXAMPLE_RECOMMENDATION = "hepatic-resection-appropriately-selected"
# A real value for each path parameter, so that every example on /api runs as printed.
EXAMPLE_PATHS = {
    "/queries/{name}": "/queries/ambiguities",
    "/context/{name}.jsonld": "/context/case-v1.jsonld",
    "/id/{kind}/{slug}": "/id/claim/resection-vs-intra-arterial-5y-os",
    "/id/{name}": "/id/review",
    "/audit/kind/{name}": "/audit/kind/uncited-claim",
    "/audit/recommendation/{slug}": f"/audit/recommendation/{EXAMPLE_RECOMMENDATION}",
    "/profile/{slug}": f"/profile/{EXAMPLE_RECOMMENDATION}",
    "/fhir/CodeSystem/{name}": "/fhir/CodeSystem/case",
    "/fhir/examples/{name}": f"/fhir/examples/{SAMPLE_BUNDLE}",
    "/cds-services/{service_id}": "/cds-services/nelmkg-treatment-options",
}


def example(base: str, path: str, method: str, op: dict[str, Any], version: str) -> str:
    """Return an example ``curl`` command for one operation of the service at ``base``."""
    concrete = EXAMPLE_PATHS.get(path, path).replace("{version}", version)
    url = base.rstrip("/") + concrete
    if path.startswith("/sparql"):
        if method == "post":
            return (
                f"curl -X POST '{url}' -H 'Content-Type: application/sparql-query' "
                f"-H 'Accept: application/sparql-results+json' --data-binary '{EXAMPLE_QUERY}'"
            )
        return f"curl -G '{url}' --data-urlencode 'query={EXAMPLE_QUERY}'"
    if path.startswith("/cds-services/"):
        return f"curl -X POST '{url}' -H 'Content-Type: application/json' -d @cds-request.json"
    if path == "/assess/form" and method == "post":
        return f"curl -X POST '{url}' -H 'Accept: text/html' -d 'id=case-1'"
    if method == "post":
        accept = " -H 'Accept: text/turtle'" if path == "/validate" else ""
        return f"curl -X POST '{url}' -H 'Content-Type: application/json'{accept} -d @case.json"
    media = list(op.get("responses", {}).get("200", {}).get("content", {}))
    # Pages answer HTML only to a client that asks for it; curl asks for */*.
    if not media or media[0] == "text/html":
        return f"curl -H 'Accept: text/html' '{url}'"
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
    version = current().ontology_version.get("version") or ""
    routes = [
        {
            "path": path,
            "method": method.upper(),
            "op": op,
            "example": example(request.host_url, path, method, op, version),
        }
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    ]
    keys = doc["components"]["schemas"]["Case"]["properties"]
    return render_template(
        "api.html",
        doc=doc,
        routes=routes,
        sample=sample,
        keys=keys,
        fhir_example=fhir_example(request.host_url),
    )

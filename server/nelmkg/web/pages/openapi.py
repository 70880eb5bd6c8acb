"""The OpenAPI 3.1 document of the service, built from data once per app.

:data:`OPERATIONS` describes every route (path template as Flask writes it -> method ->
summary, parameters, request body media types, responses); a test checks that it and the
app's ``url_map`` list the same routes. Media types come from the content-negotiation tables
(:mod:`nelmkg.web.conneg`, :mod:`nelmkg.web.cases.routes`); the case schema is generated from
the JSON-LD context's key table (:mod:`nelmkg.cases.context`) with ranges and descriptions from
the case shapes (``shapes/case/``); the named-query names come from the loaded service.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from rdflib.namespace import SH

import nelmkg
from nelmkg import paths
from nelmkg.cases.context import CaseContext
from nelmkg.cases.json_input import _ID  # the id pattern the reader enforces
from nelmkg.cases.read import FORMATS
from nelmkg.graph.dataset import parse_files
from nelmkg.web import conneg
from nelmkg.web.cases.routes import FHIR_TYPE, NDJSON_TYPES, REPORT_FORMATS
from nelmkg.web.problems import MEDIA_TYPE as PROBLEM

SAMPLE_CASE = "sample-case.json"  # in nelmkg/web/static (paths.static_file)
SPARQL_PARAMS = [
    ("query", "a SPARQL 1.1 query (absent on GET: the service description)"),
    ("default-graph-uri", "IRI of a graph merged into the default graph (repeatable)"),
    ("named-graph-uri", "IRI of a named graph of the dataset (repeatable)"),
    ("format", "a result format key or media type (overrides Accept)"),
]
_SPARQL_TYPES = sorted(
    {n for t in (conneg.RESULT_FORMATS, conneg.GRAPH_FORMATS) for f in t for n in (f.media_type,)}
)
_SPARQL = {
    "summary": "SPARQL 1.1 Protocol, query operation",
    "query": SPARQL_PARAMS,
    "responses": {
        "200": _SPARQL_TYPES,
        "400": None,
        "403": None,
        "406": None,
        "429": None,
        "503": None,
    },
}
_SPARQL_POST = {
    **_SPARQL,
    "query": SPARQL_PARAMS[1:],
    "body": {"application/x-www-form-urlencoded": "form", "application/sparql-query": "text"},
    "responses": {**_SPARQL["responses"], "413": None, "415": None},
}


def case_body(batch: bool) -> dict[str, str]:
    """Return the media types a case (or, with ``batch``, several) may be posted as."""
    body = {m: ("case" if fmt == "json" else "text") for m, fmt in FORMATS.items()}
    body[FHIR_TYPE] = "bundle"  # one FHIR R4 Bundle (docs/fhir.md)
    if batch:
        body |= {"application/json": "cases", **dict.fromkeys(NDJSON_TYPES, "text")}
    return body


FHIR_ERRORS = {"400": None, "413": None, "422": None}  # also OperationOutcome for FHIR callers


# Flask rule -> method -> operation (see _operation for the keys).
OPERATIONS: dict[str, dict[str, dict[str, Any]]] = {
    "/sparql": {"get": _SPARQL, "post": _SPARQL_POST},
    "/sparql/": {"get": _SPARQL, "post": _SPARQL_POST},
    "/queries": {
        "get": {
            "summary": "List the named queries",
            "responses": {"200": ["application/json", "text/html"], "406": None},
        }
    },
    "/queries/<name>": {
        "get": {
            "summary": "Run a named query; its parameters are query-string parameters",
            "path": [("name", "the query's name (see /queries)")],
            "query": [("format", "a result format key or media type")],
            "free_params": True,
            "responses": {
                "200": _SPARQL_TYPES,
                "400": None,
                "404": None,
                "406": None,
                "429": None,
                "503": None,
            },
        }
    },
    "/healthz": {
        "get": {
            "summary": "Liveness, triple counts, evaluator sandbox",
            "responses": {"200": ["application/json"], "503": None},
        }
    },
    "/readyz": {
        "get": {
            "summary": "Readiness: data loaded, query and case evaluators answering",
            "responses": {"200": ["application/json"], "503": None},
        }
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics, summed over every worker (docs/operations.md)",
            "responses": {"200": ["text/plain", "application/openmetrics-text"]},
        }
    },
    "/version": {
        "get": {
            "summary": "Package, ontology, commit and library versions",
            "responses": {"200": ["application/json"]},
        }
    },
    "/validate": {
        "post": {
            "summary": "Validate one case; the SHACL validation report, conforming or not",
            "query": [("format", "turtle or jsonld (overrides Accept)")],
            "body": "one case",
            "outcome_errors": True,
            "responses": {
                "200": [f.media_type for f in REPORT_FORMATS],
                "400": None,
                "406": None,
                "413": None,
                "415": None,
                "422": None,
                "503": None,
            },
        }
    },
    "/assess": {
        "post": {
            "summary": "Assess a case, a JSON array of cases, or NDJSON, against every option",
            "body": "cases",
            "outcome_errors": True,
            "responses": {
                "200": ["application/json", "application/x-ndjson"],
                "400": None,
                "406": None,
                "413": None,
                "415": None,
                "422": None,
                "503": None,
            },
        }
    },
    "/context.jsonld": {
        "get": {
            "summary": "The current case JSON-LD context (ETag)",
            "responses": {"200": ["application/ld+json"], "304": None},
        }
    },
    "/context/<name>.jsonld": {
        "get": {
            "summary": "One version of the case JSON-LD context, e.g. case-v1",
            "path": [("name", "the context's version name, e.g. case-v1")],
            "responses": {"200": ["application/ld+json"], "304": None, "404": None},
        }
    },
    "/fhir/mapping": {
        "get": {
            "summary": "The FHIR mapping of the case format: codes, units, sources",
            "responses": {"200": ["application/json"]},
        }
    },
    "/fhir/CodeSystem/<name>": {
        "get": {
            "summary": "A CodeSystem of the case format (case, case-value), at its IRI's path",
            "path": [("name", "case or case-value")],
            "responses": {"200": [FHIR_TYPE], "404": None},
        }
    },
    "/fhir/examples/<name>": {
        "get": {
            "summary": "A shipped example Bundle (sample-bundle.json)",
            "path": [("name", "sample-bundle.json")],
            "responses": {"200": [FHIR_TYPE], "404": None},
        }
    },
    "/cds-services": {
        "get": {
            "summary": "CDS Hooks 1.0 discovery",
            "responses": {"200": ["application/json"]},
        }
    },
    "/cds-services/<service_id>": {
        "post": {
            "summary": "CDS Hooks 1.0 patient-view call (prefetch 'case': a Bundle); one card "
            "per treatment option",
            "path": [("service_id", "nelmkg-treatment-options (see /cds-services)")],
            "body": {"application/json": "form"},
            "responses": {
                "200": ["application/json"],
                "400": "outcome",
                "404": "outcome",
                "412": "outcome",
                "422": "outcome",
            },
        }
    },
    "/.well-known/void": {
        "get": {
            "summary": "The VoID description: size, class and property partitions, endpoint",
            "responses": {"200": [f.media_type for f in conneg.GRAPH_FORMATS[:-1]], "406": None},
        }
    },
    "/ontology": {
        "get": {
            "summary": "The ontology IRI: HTML documentation (pyLODE), or the ontology as RDF",
            "query": [("format", "a graph format key or media type (overrides Accept)")],
            "responses": {"200": [f.media_type for f in conneg.GRAPH_FORMATS], "406": None},
        }
    },
    "/ontology/<version>": {
        "get": {
            "summary": "The ontology's version IRI (the version served), as /ontology",
            "path": [("version", "the ontology version, e.g. the one /version reports")],
            "query": [("format", "a graph format key or media type (overrides Accept)")],
            "responses": {
                "200": [f.media_type for f in conneg.GRAPH_FORMATS],
                "404": None,
                "406": None,
            },
        }
    },
    "/changes": {
        "get": {
            "summary": "What changed since the previous release (claims, criteria, references)",
            "query": [("format", "json, md or html (overrides Accept)")],
            "responses": {
                "200": ["application/json", "text/markdown", "text/html"],
                "406": None,
            },
        }
    },
    "/coverage": {
        "get": {
            "summary": "Every sentence of the review with the resources that quote it; gaps",
            "query": [("format", "json or html (overrides Accept)")],
            "responses": {
                "200": ["application/json", "text/html"],
                "404": None,
                "406": None,
            },
        }
    },
    "/openapi.json": {
        "get": {"summary": "This document", "responses": {"200": ["application/json"]}}
    },
    "/api": {
        "get": {
            "summary": "A browsable page of this document, with a try-it form",
            "responses": {"200": ["text/html"]},
        }
    },
}


def openapi_path(rule: str) -> str:
    """Return a Flask rule (``/queries/<name>``) as an OpenAPI path (``/queries/{name}``)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def case_schema(context: CaseContext) -> dict[str, Any]:
    """Return the JSON Schema of a plain-JSON case, generated from the context and shapes."""
    shapes = parse_files(paths.shape_files("case"))
    bounds = {
        "minInclusive": "minimum",
        "maxInclusive": "maximum",
        "minExclusive": "exclusiveMinimum",
        "maxExclusive": "exclusiveMaximum",
    }
    types = {"number": "number", "integer": "integer", "boolean": "boolean", "concept": "string"}
    props: dict[str, Any] = {
        context.id_key: {"type": "string", "pattern": _ID.pattern, "description": "the case id"}
    }
    for key, spec in context.keys.items():
        prop: dict[str, Any] = {"type": [types[spec.kind], "null"]}
        if spec.values:
            prop["enum"] = [*spec.values, None]
        for shape in shapes.subjects(SH.path, spec.property):
            for name, word in bounds.items():
                value = shapes.value(shape, SH[name])
                if value is not None:
                    prop[word] = value.toPython()
            message = shapes.value(shape, SH.message)
            if message is not None:
                prop["description"] = str(message)
        prop["x-property"] = str(spec.property)
        props[key] = prop
    return {"type": "object", "properties": props, "additionalProperties": False}


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        **{k: {"type": "string"} for k in ("type", "title", "detail", "instance")},
        "status": {"type": "integer"},
        **{k: {"type": "integer"} for k in ("line", "column", "limit")},
        **{k: {"type": "string"} for k in ("kind", "key", "parameter")},
        "value": {},
    },
}


# The JSON shapes of FHIR R4 Bundle and OperationOutcome that this service relies on.
BUNDLE_SCHEMA = {
    "type": "object",
    "required": ["resourceType", "type"],
    "properties": {"resourceType": {"const": "Bundle"}, "entry": {"type": "array"}},
    "description": "A FHIR R4 Bundle with one Patient (docs/fhir.md)",
}
OUTCOME_SCHEMA = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"type": "string"},
                    "code": {"type": "string"},
                    "details": {"type": "object"},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def _param(name: str, where: str, text: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": text,
        "schema": {"type": "string"},
    }


def _operation(op: dict[str, Any], named: list[str]) -> dict[str, Any]:
    params = [_param(n, "path", t) for n, t in op.get("path", [])]
    params += [_param(n, "query", t) for n, t in op.get("query", [])]
    if op.get("free_params"):
        params.append(
            {
                "name": "params",
                "in": "query",
                "style": "form",
                "explode": True,
                "schema": {"type": "object", "additionalProperties": {"type": "string"}},
                "description": "the query's own parameters (see /queries)",
            }
        )
    for p in params:
        if p["name"] == "name" and named:
            p["schema"]["enum"] = named
    out: dict[str, Any] = {"summary": op["summary"], "parameters": params, "responses": {}}
    if "body" in op:
        body = op["body"]
        if isinstance(body, str):  # the case formats, read from the reader's table now
            body = case_body(batch=body == "cases")
        refs = {
            "case": {"$ref": "#/components/schemas/Case"},
            "cases": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Case"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
                ]
            },
            "text": {"type": "string"},
            "form": {"type": "object"},
            "bundle": {"$ref": "#/components/schemas/Bundle"},
        }
        out["requestBody"] = {
            "required": True,
            "content": {media: {"schema": refs[kind]} for media, kind in body.items()},
        }
    outcome = {FHIR_TYPE: {"schema": {"$ref": "#/components/schemas/OperationOutcome"}}}
    for status, media_types in op["responses"].items():
        if media_types == "outcome":
            out["responses"][status] = {"description": status, "content": outcome}
        elif media_types is None:
            content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            if status == "304":
                content = {}
            elif op.get("outcome_errors") and status in FHIR_ERRORS:
                content = {**content, **outcome}
            out["responses"][status] = {"description": status, "content": content}
        else:
            out["responses"][status] = {
                "description": "OK",
                "content": {m: {} for m in media_types},
            }
    return out


def _generic(summary: str | None, arguments: list[str]) -> dict[str, Any]:
    """Return the operation of a route :data:`OPERATIONS` does not describe (a page)."""
    return {
        "summary": summary or "(undocumented)",
        "parameters": [_param(a, "path", a) for a in arguments],
        "responses": {
            "200": {"description": "OK"},
            "404": {
                "description": "Not Found",
                "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            },
        },
    }


def build(app: Flask, context: CaseContext, named: list[str]) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of every route of ``app`` (static files aside).

    Routes in :data:`OPERATIONS` get their full description; any other (an HTML page added by
    another blueprint) gets its view's docstring as summary, so the document is never short
    of a route.
    """
    sample = json.loads(paths.static_file(SAMPLE_CASE).read_text(encoding="utf-8"))
    schema = {**case_schema(context), "examples": [sample]}
    doc_paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        described = OPERATIONS.get(rule.rule, {})
        view = app.view_functions.get(rule.endpoint)
        summary = (view.__doc__ or "").strip().split("\n")[0] if view else None
        ops = doc_paths.setdefault(openapi_path(rule.rule), {})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op = described.get(method.lower())
            ops[method.lower()] = (
                _operation(op, named) if op else _generic(summary, sorted(rule.arguments))
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "nelmkg",
            "version": nelmkg.__version__,
            "description": "SPARQL endpoint, named queries and case assessment for the "
            "review's knowledge graph (docs/service.md, docs/case-api.md).",
        },
        "paths": doc_paths,
        "components": {
            "schemas": {
                "Case": schema,
                "Problem": PROBLEM_SCHEMA,
                "Bundle": BUNDLE_SCHEMA,
                "OperationOutcome": OUTCOME_SCHEMA,
            }
        },
    }

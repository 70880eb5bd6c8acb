"""``/fhir/mapping``, ``/fhir/CodeSystem/<name>`` and ``/fhir/examples/<name>``.

The CodeSystems are served at the paths of their IRIs
(``https://w3id.org/nelmkg/fhir/CodeSystem/case`` -> ``/fhir/CodeSystem/case``) as
``application/fhir+json``; the mapping table as JSON; the shipped example Bundles (the README's
curl call posts ``sample-bundle.json``) as ``application/fhir+json``. All are read or built
once at start-up; no request reads a file.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import Blueprint, Response

from nelmkg.fhir.outcome import MEDIA_TYPE
from nelmkg.web.problems import Problem

if TYPE_CHECKING:
    from nelmkg.fhir.service import FhirService

bp = Blueprint("fhir", __name__)


def _service() -> FhirService:
    from nelmkg.web.fhir import current  # the package imports this module

    return current()


def _fhir_json(value: object) -> Response:
    return Response(json.dumps(value, ensure_ascii=False, indent=2), mimetype=MEDIA_TYPE)


@bp.get("/fhir/mapping")
def mapping() -> Response:
    """Serve the FHIR mapping of the case format (codes, units, sources)."""
    body = json.dumps(_service().mapping.as_json(), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json")


@bp.get("/fhir/CodeSystem/<name>")
def codesystem(name: str) -> Response:
    """Serve one of the project's CodeSystems (case, case-value)."""
    found = _service().codesystems.get(name)
    if found is None:
        known = ", ".join(f"/fhir/CodeSystem/{n}" for n in _service().codesystems)
        raise Problem(404, None, f"There is no CodeSystem {name}; known: {known}.")
    return _fhir_json(found)


@bp.get("/fhir/examples/<name>")
def example(name: str) -> Response:
    """Serve a shipped example Bundle (sample-bundle.json)."""
    examples = _service().examples  # read at start-up; the name only selects among them
    if name not in examples:
        raise Problem(404, None, f"There is no example {name}; known: {', '.join(examples)}.")
    return Response(examples[name], mimetype=MEDIA_TYPE)

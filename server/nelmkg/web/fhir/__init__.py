"""The FHIR side of the service: Bundles on ``/assess`` and ``/validate``, ``/fhir/...``, CDS Hooks.

:data:`bp` nests :mod:`~nelmkg.web.fhir.routes` (``/fhir/mapping``, ``/fhir/CodeSystem/<name>``,
``/fhir/examples/<name>``) and :mod:`~nelmkg.web.fhir.cds` (``/cds-services``); the case routes
call :mod:`~nelmkg.web.fhir.cases` for a body sent as ``application/fhir+json``. Every Bundle
(and every CDS Hooks call) is read and assessed in a case evaluator by
:class:`~nelmkg.web.fhir.work.FhirWork`, which also reads Bundles sent as plain JSON. The
:class:`~nelmkg.fhir.service.FhirService` (mapping, CodeSystems, cards) is one of the
service's documents built on first use from its assessor; ``FHIR_MAX_ENTRIES`` (settings
table) caps ``Bundle.entry``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, current_app

from nelmkg.web import service
from nelmkg.web.fhir import cds, routes

if TYPE_CHECKING:
    from nelmkg.fhir.service import FhirService


def current() -> FhirService:
    """Return the FHIR side of the current app's service (built on first use)."""
    from nelmkg.fhir.service import FhirService  # on the first FHIR request (a start saves 15 ms)

    owner = service.current()
    return owner.built("fhir", lambda: FhirService.build(owner.assessor))


def max_entries() -> int:
    """Return the current app's cap on ``Bundle.entry``."""
    return current_app.config["FHIR_MAX_ENTRIES"]


bp = Blueprint("fhir_api", __name__)
bp.register_blueprint(routes.bp)
bp.register_blueprint(cds.bp)

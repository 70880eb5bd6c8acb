"""The FHIR side of the service: Bundles on ``/assess`` and ``/validate``, ``/fhir/...``, CDS Hooks.

:data:`bp` nests :mod:`~nelmkg.web.fhir.routes` (``/fhir/mapping``, ``/fhir/CodeSystem/<name>``,
``/fhir/examples/<name>``) and :mod:`~nelmkg.web.fhir.cds` (``/cds-services``); the case routes
call :mod:`~nelmkg.web.fhir.cases` for a body sent as ``application/fhir+json`` and give the
batch reader :func:`reader` so that a Bundle sent as JSON is read too. The
:class:`~nelmkg.fhir.service.FhirService` (mapping, CodeSystems, cards) is one of the
service's documents built on first use from its assessor; ``FHIR_MAX_ENTRIES`` (settings
table) caps ``Bundle.entry``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app

from nelmkg.cases.model import Case
from nelmkg.fhir.service import FhirService
from nelmkg.web import service
from nelmkg.web.fhir import cds, routes


def current() -> FhirService:
    """Return the FHIR side of the current app's service (built on first use)."""
    owner = service.current()
    return owner.built("fhir", lambda: FhirService.build(owner.assessor))


def bundle_reader(assessor: Any) -> Callable[[Any, int], Case | None]:
    """Return a reader of Bundles sent as JSON for the case evaluators (which have no app):
    the :class:`FhirService` is built from ``assessor`` on the first Bundle in each process."""
    built: list[FhirService] = []

    def read(doc: Any, limit: int) -> Case | None:
        if not built:
            built.append(FhirService.build(assessor))
        return built[0].read_case(doc, limit)

    return read


def max_entries() -> int:
    """Return the current app's cap on ``Bundle.entry``."""
    return current_app.config["FHIR_MAX_ENTRIES"]


def reader() -> Callable[[Any], Case | None]:
    """Return the batch reader of Bundles for this request (None for other documents)."""
    fhir, limit = current(), max_entries()
    return lambda doc: fhir.read_case(doc, limit)


bp = Blueprint("fhir_api", __name__)
bp.register_blueprint(routes.bp)
bp.register_blueprint(cds.bp)

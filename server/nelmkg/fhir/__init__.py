"""FHIR R4 in and out: Bundles read as cases, OperationOutcome, CodeSystems, CDS Hooks cards.

A FHIR R4 Bundle holding one Patient is one case (:mod:`nelmkg.fhir.reader`), mapped to the
plain-JSON facts through a table that is data (``mapping.toml``, :mod:`nelmkg.fhir.mapping`)
and assessed by the same :class:`~nelmkg.eligibility.assessor.Assessor`. Data problems become
an OperationOutcome (:mod:`nelmkg.fhir.outcome`), clinical findings CDS Hooks 1.0 cards
(:mod:`nelmkg.fhir.cards`); the two are never mixed. :class:`nelmkg.fhir.service.FhirService`
holds what a caller needs, built once. ``fhir.resources`` is imported only when a Bundle is
read, never by a plain-JSON run. See docs/fhir.md.

:func:`is_bundle` lives here, light, for callers that only sort Bundles from plain JSON (the
``assess`` command, the case evaluators) and need the reader only when one comes.
"""

from __future__ import annotations

from typing import Any


def is_bundle(doc: Any) -> bool:
    """Return True for a JSON object that says it is a FHIR resource (``resourceType``)."""
    return isinstance(doc, dict) and "resourceType" in doc

"""``nelmkg assess``, reading FHIR R4 Bundles too: the eligibility command given a Bundle reader.

The command is :mod:`nelmkg.eligibility.cli`'s; this module registers it with
:class:`BundleAssessor`, so that a Bundle (a JSON object with ``resourceType``) anywhere a
plain-JSON case may be, alone, in an array or in NDJSON, is read by the FHIR reader and gets
its ``mapping`` report. The FHIR side is built on the first Bundle only, and ``fhir.resources``
is imported only when a Bundle is validated: a plain-JSON run never loads it.
"""

from __future__ import annotations

import argparse
from typing import Any

from nelmkg.eligibility import cli as assess_cli
from nelmkg.eligibility.assessor import Assessor
from nelmkg.fhir import is_bundle


class BundleAssessor:
    """Assess Bundles with the run's assessor; None for any other document."""

    def __init__(self, assessor: Assessor) -> None:
        self.assessor = assessor
        self._service = None

    def __call__(self, doc: Any) -> dict | None:
        if not is_bundle(doc):
            return None
        if self._service is None:
            from nelmkg.fhir.service import FhirService  # built on the first Bundle only

            self._service = FhirService.build(self.assessor)
        return self._service.assess(doc)[0]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``assess`` (the eligibility command) with the Bundle reader."""
    assess_cli.add_parser(sub, readers=(BundleAssessor,))

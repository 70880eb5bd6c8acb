"""The case API as one blueprint: ``/validate``, ``/assess``, the case context, OpenAPI, ``/api``.

:data:`bp` is the one blueprint added to ``BLUEPRINTS``; it nests one blueprint per concern
(:mod:`~nelmkg.web.cases.routes`, :mod:`~nelmkg.web.cases.contexts`,
:mod:`~nelmkg.web.pages.api`). When it is registered (:func:`_setup`, i.e. inside
``create_app``, so at start-up and before gunicorn forks) it hangs a :class:`CaseAPI` on
``app.extensions["nelmkg.cases.read"]``: the one :class:`~nelmkg.eligibility.assessor.Assessor` of
the app
(``ASSESSOR`` in ``test_config``, else the process's :func:`default_assessor`, built once per
process and shared by every app of it), the context documents and the batch limit.

Settings (:data:`SETTINGS`, documented in ``docs/case-api.md``; a test checks): the Flask key
``MAX_BATCH`` (environment ``NELMKG_MAX_BATCH``, default 1000) caps the cases of one
``/assess`` request.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

from nelmkg.eligibility.assessor import Assessor, default_assessor
from nelmkg.web.cases import contexts, routes
from nelmkg.web.cases.contexts import ContextFile, load_contexts
from nelmkg.web.cases.routes import EXTENSION
from nelmkg.web.pages import api
from nelmkg.web.problems import PROBLEM_TYPES
from nelmkg.web.settings import Setting, _positive_int, from_env

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "MAX_BATCH",
        "NELMKG_MAX_BATCH",
        1000,
        _positive_int,
        "cases accepted in one `/assess` request (JSON array or NDJSON); more gets 413",
    ),
)

# The case API's problem types (slug -> title), added to the service's one table so that
# ``problems.problem`` accepts them; docs/service.md lists them with the others.
CASE_PROBLEM_TYPES: dict[str, str] = {
    "case-syntax": "Case does not parse",
    "unknown-case-key": "Unknown case key",
    "bad-case-value": "Bad case value",
    "remote-context": "Remote JSON-LD context refused",
    "not-a-case": "Not a case",
    "batch-too-large": "Too many cases",
}
for _slug, _title in CASE_PROBLEM_TYPES.items():
    PROBLEM_TYPES.setdefault(_slug, _title)


@dataclass(frozen=True)
class CaseAPI:
    """What the case routes use, built once per app."""

    assessor: Assessor
    contexts: dict[str, ContextFile]  # file name -> served document
    current_context: str  # the file /context.jsonld serves


class _DropLiteralWarnings(logging.Filter):
    """Drop rdflib's 'Failed to convert Literal lexical form' records.

    rdflib logs them (with the offending lexical form in the traceback) whenever a posted case
    holds an ill-typed literal: that is patient data, and the SHACL report already names it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


def _quiet_rdflib_literals() -> None:
    logger = logging.getLogger("rdflib.term")
    if not any(isinstance(f, _DropLiteralWarnings) for f in logger.filters):
        logger.addFilter(_DropLiteralWarnings())


def _setup(state: BlueprintSetupState) -> None:
    app: Flask = state.app
    for key, value in from_env(SETTINGS, os.environ).items():
        app.config.setdefault(key, value)
    contexts, current = load_contexts()
    assessor = app.config.get("ASSESSOR") or default_assessor()
    app.extensions[EXTENSION] = CaseAPI(assessor, contexts, current)
    _quiet_rdflib_literals()


bp = Blueprint("case_api", __name__)
bp.record_once(_setup)
bp.register_blueprint(routes.bp)
bp.register_blueprint(contexts.bp)
bp.register_blueprint(api.bp)

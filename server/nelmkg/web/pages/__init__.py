"""The human-facing pages, as one tuple of blueprints the app registers.

``/`` (:mod:`.home`), ``/id/...`` (:mod:`.resources`), ``/audit`` (:mod:`.audit`), ``/profile``
(:mod:`.profile`), ``/coverage`` (:mod:`.coverage`), ``/pathway`` (:mod:`.pathway`),
``/editor`` (:mod:`.editor`),
``/ontology`` and its version IRI (:mod:`.ontology`), ``/changes`` (:mod:`.changes`),
``/assess/form`` (:mod:`.assess_form`) and ``/openapi.json`` with its page ``/api``
(:mod:`.api`). Their shared helpers are in :mod:`.kit` and :mod:`.graphview`; their templates
(``nelmkg/web/templates``) extend ``base.html`` (the one page frame and navigation bar); assets
are in ``nelmkg/web/static``.
"""

from __future__ import annotations

from nelmkg.web.pages import api, changes, editor, home, ontology, pathway, resources
from nelmkg.web.pages.evidence import audit, coverage, profile
from nelmkg.web.pages.form import page

BLUEPRINTS = (
    home.bp,
    resources.bp,
    ontology.bp,
    changes.bp,
    audit.bp,
    profile.bp,
    coverage.bp,
    pathway.bp,
    editor.bp,
    page.bp,
    api.bp,
)

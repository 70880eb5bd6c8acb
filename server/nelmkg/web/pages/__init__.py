"""The human-facing pages, as one tuple of blueprints the app registers.

``/`` (:mod:`home`), ``/id/...`` (:mod:`resources`), ``/audit`` (:mod:`audit_page`),
``/pathway`` (:mod:`pathway`), ``/editor`` (:mod:`editor`) and ``/assess/form``
(:mod:`assess_form`); their shared helpers are in :mod:`pagekit` and :mod:`graphview`, their
templates extend ``site.html`` and their assets are in ``static/``.
"""

from __future__ import annotations

from nelmkg.web.pages import assess_form, audit, editor, home, pathway, resources

BLUEPRINTS = (home.bp, resources.bp, audit.bp, pathway.bp, editor.bp, assess_form.bp)

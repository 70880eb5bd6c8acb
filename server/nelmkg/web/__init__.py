"""The web service: ``create_app(test_config=None)`` builds the Flask app.

Everything expensive is done once here, at start-up: the store is loaded (bundled graphs and
``DATA_FILES``), the named queries are prepared, and the result hangs on
``app.extensions["nelmkg"]`` (a :class:`nelmkg.web.service.Service`). Requests never parse a
data file. Each concern is one blueprint in :data:`BLUEPRINTS`; a new route (``/validate``,
``/assess``, ...) is one more module with a blueprint added to that tuple.

Configuration: see :mod:`nelmkg.web.settings` (``NELMKG_*`` variables, documented in the
README). ``test_config`` overrides them; it may also pass ``SERVICE``, an already built
:class:`~nelmkg.web.service.Service`, so that tests share one store and one evaluator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from nelmkg import paths
from nelmkg.web import health, hooks, pages, problems, settings
from nelmkg.web.cases import api
from nelmkg.web.service import build_service
from nelmkg.web.sparql import endpoint, named

BLUEPRINTS = (endpoint.bp, named.bp, health.bp, api.bp, *pages.BLUEPRINTS)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Return the service app; raise on a bad setting, data file or named query."""
    app = Flask(__name__)
    values = settings.load({k: v for k, v in (test_config or {}).items() if k != "SERVICE"})
    app.config.update(values)
    service = (test_config or {}).get("SERVICE") or build_service(
        app.config["DATA_FILES"],
        memory_mb=app.config["QUERY_MEMORY_MB"],
        cache_mb=app.config["CACHE_MB"],
    )
    app.extensions["nelmkg"] = service
    commit = app.config["COMMIT"] or health.git_commit(paths.root())
    app.config["VERSIONS"] = health.versions(service.store, commit)
    problems.register(app)
    hooks.register(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app

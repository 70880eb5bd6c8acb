"""The web service: ``create_app(test_config=None)`` builds the Flask app.

Everything expensive is done once here, at start-up: the settings are read and checked
(:mod:`nelmkg.web.settings`, one closed table), and the :class:`~nelmkg.web.service.Service` is
built — store loaded, named queries prepared, case assessor built — and hung on the app. Requests
never parse a data file. Each concern is one blueprint in :data:`BLUEPRINTS`, grouped by room:
the SPARQL protocol (:mod:`nelmkg.web.sparql`), the case API (:mod:`nelmkg.web.cases`), FHIR
and CDS Hooks (:mod:`nelmkg.web.fhir`), the pages (:mod:`nelmkg.web.pages`) and the service's
own health routes (``/healthz``, ``/readyz``, ``/metrics``, ``/version``).

``test_config`` overrides settings; ``service`` may pass an already built service so that tests
share one store, one evaluator and one assessor between the apps they make.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from nelmkg import paths
from nelmkg.web import backend, fhir, health, hooks, problems, settings
from nelmkg.web.cases import contexts, routes
from nelmkg.web.fhir.work import FhirWork
from nelmkg.web.pages import BLUEPRINTS as PAGES
from nelmkg.web.service import Service, build_service, install
from nelmkg.web.sparql import endpoint, named, void

BLUEPRINTS = (endpoint.bp, named.bp, void.bp, health.bp, routes.bp, contexts.bp, fhir.bp, *PAGES)


def create_app(
    test_config: Mapping[str, Any] | None = None, *, service: Service | None = None
) -> Flask:
    """Return the service app; raise on a bad setting, data file or named query."""
    app = Flask(__name__)
    app.config.update(settings.load(test_config))
    if app.config["COMMIT"] is None:
        top = paths.checkout()
        app.config["COMMIT"] = health.git_commit(top) if top else None
    install(
        app,
        service
        or build_service(
            app.config["DATA_FILES"],
            memory_mb=app.config["QUERY_MEMORY_MB"],
            cache_mb=app.config["CACHE_MB"],
            query_slots=app.config["QUERY_SLOTS"],
            query_slots_per_client=app.config["QUERY_SLOTS_PER_CLIENT"],
            case_slots=app.config["CASE_SLOTS"],
            fhir_work=FhirWork,
            remote=backend.remote_from_config(app.config),
            query_timeout=app.config["QUERY_TIMEOUT"],
        ),
    )
    problems.register(app)
    hooks.register(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app

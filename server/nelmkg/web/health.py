"""``/healthz``, ``/readyz``, ``/metrics`` and ``/version``: is the service answering, may it
take traffic, what has it done, and what is it serving.

``/healthz`` pings a free query evaluator process (starting it if needed) and reports the
triple counts of the default graph and of every named graph, which sandbox measures the
evaluator runs under, how full the query and case lanes are, which worker process answered and
which store it answers from (``embedded`` or ``external``); 503 if the evaluator does not answer
within 5 seconds. When running queries hold every evaluator it answers at once (``"busy":
true``) instead of waiting for one. It does not ask an external store: a store that is down
does not make the front ends look dead.

``/readyz`` is the readiness probe: 200 when the data is loaded (the default graph has
triples, the named queries are prepared) and an evaluator of each pool — queries and cases —
answers a ping (a pool whose evaluators are all busy running work counts as alive; a dead one
is started again by the ping); with an external store (``--store``), when the store also
answers ``ASK {}`` within 5 seconds; otherwise 503 ``not-ready`` naming the failed checks, so
a load balancer takes the front end out of rotation while its store is down. It answers from
memory and two pipe round trips (and one request to an external store), cheap enough to poll
every second.

``/metrics`` is the Prometheus exposition of :mod:`nelmkg.web.metrics`, summed over every
gunicorn worker under ``nelmkg serve`` (text format, or OpenMetrics when asked for).

``/version``
reports the package version, the ontology's ``owl:versionInfo`` and ``owl:versionIRI``, the
git commit (``NELMKG_COMMIT``, else ``git rev-parse HEAD`` at start-up, else null) and the
versions of rdflib and pyoxigraph.
"""

from __future__ import annotations

import logging
import os
import subprocess
from importlib.metadata import version as dist_version
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request

import nelmkg
from nelmkg.graph.remote import RemoteStore, StoreError
from nelmkg.query.evaluator import EvaluatorError
from nelmkg.web.lanes import PoolTimeout
from nelmkg.web.problems import Problem
from nelmkg.web.service import Service, current

log = logging.getLogger("nelmkg.web")

bp = Blueprint("health", __name__)
PING_TIMEOUT = 5.0


def git_commit(root: Path) -> str | None:
    """Return the checkout's HEAD commit, or None when git or the repository is missing."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def versions(service: Service, commit: str | None) -> dict:
    """Return the body of ``/version``."""
    return {
        "nelmkg": nelmkg.__version__,
        "ontology": service.ontology_version,
        "commit": commit,
        "rdflib": dist_version("rdflib"),
        "pyoxigraph": dist_version("pyoxigraph"),
    }


@bp.get("/healthz")
def healthz() -> Response:
    """Report liveness, triple counts and the evaluator's sandbox."""
    service = current()
    lanes = {
        "queries_running": service.query_lane.inside,
        "query_slots": service.evaluator.size,
        "cases_running": service.case_lane.inside,
        "case_slots": service.cases.size,
    }
    try:
        # A free evaluator answers the ping; when slow queries hold them all, say so at once
        # rather than wait (health must answer while queries run to their limit).
        evaluator = service.evaluator.call("ping", None, PING_TIMEOUT, wait=0)
    except PoolTimeout:
        evaluator = {"pid": None, "busy": True}
    except EvaluatorError as exc:
        raise Problem(503, "evaluator-down", "The query evaluator is not answering.") from exc
    triples = {"default": service.info.default, **service.info.graphs}
    return jsonify(
        {
            "status": "ok",
            "triples": triples,
            "evaluator": evaluator,
            "lanes": lanes,
            "worker": os.getpid(),
            "store": {"kind": "external" if isinstance(service.store, RemoteStore) else "embedded"},
        }
    )


def _alive(pool) -> str:
    """Return ``ok`` (a ping answered), ``busy`` (every evaluator is running work) or ``down``."""
    try:
        pool.call("ping", None, PING_TIMEOUT, wait=0)
    except PoolTimeout:
        return "busy"
    except EvaluatorError:
        return "down"
    return "ok"


def _store(service) -> str | None:
    """Return ``ok`` or ``down`` for an external store (asked ``ASK {}``), None for the embedded."""
    if not isinstance(service.store, RemoteStore):
        return None
    try:
        service.store.ping(PING_TIMEOUT)
    except StoreError as exc:
        log.warning("readyz: the store is not answering: %s", exc)
        return "down"
    return "ok"


@bp.get("/readyz")
def readyz() -> Response:
    """Report whether this worker may take traffic: data loaded, evaluators and store alive."""
    service = current()
    checks = {
        "data": "ok" if service.info.default > 0 and service.named else "empty",
        "query_evaluator": _alive(service.evaluator),
        "case_evaluator": _alive(service.cases),
    }
    store = _store(service)
    if store is not None:
        checks["store"] = store
    failed = [name for name, state in checks.items() if state not in ("ok", "busy")]
    if failed:
        raise Problem(
            503,
            "not-ready",
            f"Not ready: {', '.join(failed)}.",
            headers={"Retry-After": "5"} if store == "down" else None,
            checks=checks,
            failed=failed,
        )
    return jsonify({"status": "ready", "checks": checks})


@bp.get("/metrics")
def metrics() -> Response:
    """Report the Prometheus metrics of every worker (text format or OpenMetrics)."""
    body, content_type = current().metrics.exposition(request.headers.get("Accept"))
    return Response(body, content_type=content_type)


@bp.get("/version")
def version() -> Response:
    """Report what is being served."""
    return jsonify(versions(current(), current_app.config["COMMIT"]))

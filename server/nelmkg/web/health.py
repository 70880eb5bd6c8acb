"""``/healthz`` and ``/version``: is the service answering, and what is it serving.

``/healthz`` pings a free query evaluator process (starting it if needed) and reports the
triple counts of the default graph and of every named graph, which sandbox measures the
evaluator runs under, and how full the query and case lanes are; 503 if the evaluator does not
answer within 5 seconds. When running queries hold every evaluator it answers at once
(``"busy": true``) instead of waiting for one. ``/version``
reports the package version, the ontology's ``owl:versionInfo`` and ``owl:versionIRI``, the
git commit (``NELMKG_COMMIT``, else ``git rev-parse HEAD`` at start-up, else null) and the
versions of rdflib and pyoxigraph.
"""

from __future__ import annotations

import subprocess
from importlib.metadata import version as dist_version
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify

import nelmkg
from nelmkg.query.evaluator import EvaluatorError
from nelmkg.web.lanes import PoolTimeout
from nelmkg.web.problems import Problem
from nelmkg.web.service import Service, current

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
    return jsonify({"status": "ok", "triples": triples, "evaluator": evaluator, "lanes": lanes})


@bp.get("/version")
def version() -> Response:
    """Report what is being served."""
    return jsonify(versions(current(), current_app.config["COMMIT"]))

"""``/healthz`` and ``/version``: is the service answering, and what is it serving.

``/healthz`` pings the evaluator process (starting it if needed) and reports the triple
counts of the default graph and of every named graph, and which sandbox measures the
evaluator runs under; 503 if the evaluator does not answer within 5 seconds. ``/version``
reports the package version, the ontology's ``owl:versionInfo`` and ``owl:versionIRI``, the
git commit (``NELMKG_COMMIT``, else ``git rev-parse HEAD`` at start-up, else null) and the
versions of rdflib and pyoxigraph.
"""

from __future__ import annotations

import subprocess
from importlib.metadata import version as dist_version
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify

import nelmkg
from nelmkg.graph.vocab import GRAPHS
from nelmkg.web.problems import Problem
from nelmkg.web.service import current
from nelmkg.web.sparql.evaluator import EvaluatorError

bp = Blueprint("health", __name__)
PING_TIMEOUT = 5.0
ONTOLOGY_VERSION = f"""
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?info ?iri WHERE {{ GRAPH <{GRAPHS["ontology"]}> {{
  ?ontology a owl:Ontology .
  OPTIONAL {{ ?ontology owl:versionInfo ?info }}
  OPTIONAL {{ ?ontology owl:versionIRI ?iri }} }} }}"""


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


def ontology_version(store: ox.Store) -> dict[str, str | None]:
    """Return the ontology's versionInfo and versionIRI (run once, at start-up)."""
    for row in store.query(ONTOLOGY_VERSION):
        info, iri = row["info"], row["iri"]
        return {"version": info.value if info else None, "version_iri": iri.value if iri else None}
    return {"version": None, "version_iri": None}


def versions(store: ox.Store, commit: str | None) -> dict:
    """Return the body of ``/version``."""
    return {
        "nelmkg": nelmkg.__version__,
        "ontology": ontology_version(store),
        "commit": commit,
        "rdflib": dist_version("rdflib"),
        "pyoxigraph": dist_version("pyoxigraph"),
    }


@bp.get("/healthz")
def healthz() -> Response:
    """Report liveness, triple counts and the evaluator's sandbox."""
    service = current()
    try:
        evaluator = service.evaluator.call("ping", None, PING_TIMEOUT)
    except EvaluatorError as exc:
        raise Problem(503, "evaluator-down", "The query evaluator is not answering.") from exc
    triples = {"default": service.info.default, **service.info.graphs}
    return jsonify({"status": "ok", "triples": triples, "evaluator": evaluator})


@bp.get("/version")
def version() -> Response:
    """Report what is being served."""
    return jsonify(current_app.config["VERSIONS"])

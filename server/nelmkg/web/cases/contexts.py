"""``GET /context.jsonld`` and ``GET /context/<name>.jsonld``: the case JSON-LD contexts.

Every ``*.jsonld`` file of ``ontology/context/`` is read once at start-up and served as is
(``application/ld+json``) under ``/context/<file name>``, the path of its published IRI
(``https://w3id.org/nelmkg/context/case-v1.jsonld``); ``/context.jsonld`` serves the current
version (:func:`nelmkg.paths.case_context_file`). Responses carry a strong ``ETag`` (a hash of
the bytes) and ``Cache-Control``, and answer ``If-None-Match`` with 304: the files only change
with a new release, and a changed one gets a new ETag.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import Blueprint, Response, request

from nelmkg import paths
from nelmkg.web.cases.routes import current
from nelmkg.web.problems import Problem

bp = Blueprint("context", __name__)
MEDIA_TYPE = "application/ld+json"
MAX_AGE = 3600  # seconds a cache may reuse a context without asking again


@dataclass(frozen=True)
class ContextFile:
    """One context document: its bytes and their ETag."""

    name: str
    data: bytes
    etag: str


def load_contexts() -> tuple[dict[str, ContextFile], str]:
    """Return every context file by name, and the name of the current one."""
    current_file = paths.case_context_file()
    found = {}
    for path in sorted(current_file.parent.glob("*.jsonld")):
        data = path.read_bytes()
        found[path.name] = ContextFile(path.name, data, hashlib.sha256(data).hexdigest()[:32])
    return found, current_file.name


def _serve(context: ContextFile) -> Response:
    response = Response(context.data, mimetype=MEDIA_TYPE)
    response.set_etag(context.etag)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


@bp.get("/context.jsonld")
def latest() -> Response:
    """Serve the current case context."""
    api = current()
    return _serve(api.contexts[api.current_context])


@bp.get("/context/<name>.jsonld")
def versioned(name: str) -> Response:
    """Serve one version of the case context by its file name."""
    context = current().contexts.get(f"{name}.jsonld")
    if context is None:
        known = ", ".join(f"/context/{n}" for n in current().contexts)
        raise Problem(404, None, f"There is no context {name}.jsonld; known: {known}.")
    return _serve(context)

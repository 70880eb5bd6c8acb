"""``GET /context.jsonld`` and ``GET /context/<name>.jsonld``: the case JSON-LD contexts.

Every ``*.jsonld`` file of ``ontology/context/`` is read once at start-up and served as is
(``application/ld+json``) under ``/context/<file name>``, the path of its published IRI
(``https://w3id.org/nelmkg/context/case-v1.jsonld``); ``/context.jsonld`` serves the current
version (all read at start-up by :func:`nelmkg.cases.context.load_contexts`). Responses carry
a strong ``ETag`` (a hash of the bytes) and ``Cache-Control``, and answer ``If-None-Match``
with 304: the files only change with a new release, and a changed one gets a new ETag.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from nelmkg.cases.context import ContextFile
from nelmkg.web.problems import Problem
from nelmkg.web.service import current

bp = Blueprint("context", __name__)
MEDIA_TYPE = "application/ld+json"
MAX_AGE = 3600  # seconds a cache may reuse a context without asking again


def _serve(context: ContextFile) -> Response:
    response = Response(context.data, mimetype=MEDIA_TYPE)
    response.set_etag(context.etag)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


@bp.get("/context.jsonld")
def latest() -> Response:
    """Serve the current case context."""
    contexts = current().contexts
    return _serve(contexts.files[contexts.current])


@bp.get("/context/<name>.jsonld")
def versioned(name: str) -> Response:
    """Serve one version of the case context by its file name."""
    files = current().contexts.files
    context = files.get(f"{name}.jsonld")
    if context is None:
        known = ", ".join(f"/context/{n}" for n in files)
        raise Problem(404, None, f"There is no context {name}.jsonld; known: {known}.")
    return _serve(context)

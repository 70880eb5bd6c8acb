"""The ontology IRI and its version IRI, dereferenced: documentation for people, RDF for machines.

``https://w3id.org/nelmkg/ontology`` is served at ``/ontology`` and the version IRI
``https://w3id.org/nelmkg/ontology/<version>`` at ``/ontology/<version>`` (only the version
being served; any other is a 404 naming it). A browser (``text/html``) gets the HTML
documentation pyLODE generated at release time (``ontology/doc/nelm.html``, packaged); an RDF
client gets the ontology graph as Turtle (the default), N-Triples, RDF/XML or JSON-LD.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response

from nelmkg import paths
from nelmkg.graph.vocab import GRAPHS
from nelmkg.query import writers
from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.problems import Problem
from nelmkg.web.service import current

bp = Blueprint("ontology", __name__)


def _answer() -> Response:
    service = current()
    fmt = kit.choose(conneg.GRAPH_FORMATS)
    if fmt.key == "html":
        doc = service.built("ontology-doc", lambda: paths.ontology_doc_file().read_bytes())
        return kit.data(doc, fmt)
    body = service.built(("ontology-rdf", fmt.key), lambda: _rdf(fmt.key))
    return kit.data(body, fmt)


def _rdf(key: str) -> bytes:
    service = current()
    graph = ox.NamedNode(str(GRAPHS["ontology"]))
    triples = [q.triple for q in service.store.quads_for_pattern(None, None, None, graph)]
    return writers.write_triples(sorted(triples, key=str), key, service.prefixes)


@bp.get("/ontology")
def ontology() -> Response:
    """Dereference the ontology IRI: HTML documentation or the ontology as RDF."""
    return _answer()


@bp.get("/ontology/<version>")
def ontology_version(version: str) -> Response:
    """Dereference the ontology's version IRI (the version served only)."""
    served = current().ontology_version.get("version")
    if version != served:
        raise Problem(
            404,
            None,
            f"This service serves version {served} of the ontology, not {version}.",
            title="Not Found",
        )
    return _answer()

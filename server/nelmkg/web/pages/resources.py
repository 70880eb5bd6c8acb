"""Linked-data pages: every resource of the graph at its own IRI path, ``/id/<kind>/<slug>``.

``https://w3id.org/nelmkg/id/claim/x`` is served at ``/id/claim/x`` (and ``kg:review`` at
``/id/review``). Content negotiation follows ``conneg.GRAPH_FORMATS``: RDF clients get the
resource's Concise Bounded Description (its triples and those of its parts: a claim's values,
p-values, arms and design grounding) as Turtle (the default), N-Triples, RDF/XML or JSON-LD;
HTML only when asked for. A claim, reference, criterion and recommendation each get a page
that shows what a guideline author checks (see the templates ``id_*.html``); anything else
gets a generic page (label and a table of properties). An IRI the graph does not mention is
a 404 problem.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response
from markupsafe import Markup, escape

from nelmkg.query import writers
from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.pages.graphview import (
    ID_BASE,
    NELM,
    Node,
    incoming,
    iris_in,
    labels,
    load_node,
    local_path,
    related,
)
from nelmkg.web.problems import Problem
from nelmkg.web.service import current

bp = Blueprint("resources", __name__)
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CITO = "http://purl.org/spar/cito/"
CITES = (CITO + "citesAsEvidence", CITO + "citesAsAuthority")
SUPPORTED_BY = NELM + "supportedBy"
# The review extraction marks italics with *…* and inline math with $…$ (e.g. "$P < 0.001$").
_ITALICS = re.compile(r"\*([^*\n]+)\*")
_MATH = re.compile(r"\$([^$\n]+)\$")

# rdf:type -> (template, builder of the page's extra context); the first match wins.
KINDS = {
    NELM + "EvidenceClaim": "claim",
    NELM + "BibliographicReference": "reference",
    NELM + "Criterion": "criterion",
    NELM + "Recommendation": "recommendation",
}


@bp.app_template_filter("quotetext")
def quotetext(text: str | None) -> Markup:
    """Render a verbatim quote for reading: the extraction's ``*italics*`` become <em>, and the
    ``$…$`` around its inline math are dropped. The stored quote stays exactly as printed."""
    escaped = str(escape(text or ""))
    escaped = _ITALICS.sub(r"<em>\1</em>", escaped)
    return Markup(_MATH.sub(r"\1", escaped))


@bp.app_template_filter("idpath")
def idpath(iri: str) -> str:
    """Return the local page of an IRI of the graph (the IRI itself for any other)."""
    return local_path(iri) or iri


def _citing(store, node: Node, links) -> dict:
    subjects = [s for s, p in links if p in CITES]
    return {"citing": related(store, subjects, node)}


def _claim(store, node: Node, links) -> dict:
    refs = related(store, [v.value for p in CITES for v in node.props.get(p, [])], node)
    supported = related(store, [s for s, p in links if p == SUPPORTED_BY], node)
    return {"references": refs, "supports": supported}


def _criterion(store, node: Node, links) -> dict:
    refs = related(store, [v.value for p in CITES for v in node.props.get(p, [])], node)
    ambiguities = related(store, [v.value for v in node.all("nelm:hasAmbiguity")], node)
    return {"references": refs, "ambiguities": ambiguities}


def _recommendation(store, node: Node, links) -> dict:
    claims = related(store, [v.value for v in node.all("nelm:supportedBy")], node)
    refs = {
        c.iri: related(store, [v.value for p in CITES for v in c.props.get(p, [])], node)
        for c in claims
    }
    own = related(store, [v.value for p in CITES for v in node.props.get(p, [])], node)
    ambiguities = related(store, [v.value for v in node.all("nelm:hasAmbiguity")], node)
    return {"claims": claims, "claim_refs": refs, "references": own, "ambiguities": ambiguities}


BUILDERS = {
    "claim": _claim,
    "reference": _citing,
    "criterion": _criterion,
    "recommendation": _recommendation,
}


def _kind_of(node: Node) -> str:
    return next((kind for t, kind in KINDS.items() if t in node.types()), "generic")


def _nodes_of(context: dict) -> list[Node]:
    found: list[Node] = []
    for value in context.values():
        if isinstance(value, Node):
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, Node))
        elif isinstance(value, dict):
            for group in value.values():
                found.extend(v for v in group if isinstance(v, Node))
    return found


def render_resource(iri: str) -> Response:
    """Answer for the resource ``iri`` in the negotiated format."""
    service = current()
    store = service.store
    fmt = kit.choose(conneg.GRAPH_FORMATS)
    node, triples = load_node(store, iri, service.prefixes)
    links = incoming(store, iri)
    if not triples and not links:
        raise Problem(404, None, f"The graph says nothing about <{iri}>.", title="Not Found")
    if fmt.key != "html":
        return kit.data(writers.write_triples(triples, fmt.key, service.prefixes), fmt)
    kind = _kind_of(node)
    context = {"node": node, "incoming": links}
    builder = BUILDERS.get(kind)
    if builder:
        context.update(builder(store, node, links))
    names = iris_in([node, *_nodes_of(context)]) | {s for s, _ in links} | {p for _, p in links}
    node.names.update(labels(store, names))
    return kit.page(f"id_{kind}.html", fmt, kind=kind, **context)


@bp.get("/id/<kind>/<slug>")
def resource(kind: str, slug: str) -> Response:
    """Dereference ``https://w3id.org/nelmkg/id/<kind>/<slug>``."""
    if not (SLUG.match(kind) and SLUG.match(slug)):
        raise Problem(404, None, f"/id/{kind}/{slug} is not a resource IRI path.")
    return render_resource(f"{ID_BASE}{kind}/{slug}")


@bp.get("/id/<name>")
def top(name: str) -> Response:
    """Dereference a resource directly under the id base (``kg:review``)."""
    if not SLUG.match(name):
        raise Problem(404, None, f"/id/{name} is not a resource IRI path.")
    return render_resource(f"{ID_BASE}{name}")

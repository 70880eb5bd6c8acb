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
from markupsafe import Markup

from nelmkg.graph import markup
from nelmkg.query import writers
from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.pages.evidence import evidence, flags
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
from nelmkg.web.pages.names import label_table, words
from nelmkg.web.problems import Problem
from nelmkg.web.service import current

bp = Blueprint("resources", __name__)
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CITO = "http://purl.org/spar/cito/"
CITES = (CITO + "citesAsEvidence", CITO + "citesAsAuthority")
SUPPORTED_BY = NELM + "supportedBy"
QUALIFIES = NELM + "qualifies"

# rdf:type -> (template, builder of the page's extra context); the first match wins.
KINDS = {
    NELM + "EvidenceClaim": "claim",
    NELM + "BibliographicReference": "reference",
    NELM + "Criterion": "criterion",
    NELM + "Recommendation": "recommendation",
}


@bp.app_template_filter("quotetext")
def quotetext(text: str | None) -> Markup:
    """Render the graph's text for reading: the extraction's ``*italics*`` become <em>, and the
    ``$…$`` around its inline math are dropped. The stored literal stays exactly as printed."""
    labels = current().built("label-table", lambda: label_table(current().store))
    return Markup(words(markup.html(text), labels))


@bp.app_template_filter("idpath")
def idpath(iri: str) -> str:
    """Return the local page of an IRI of the graph (the IRI itself for any other)."""
    return local_path(iri) or iri


def _flags(iris: list[str], own_only: bool = True) -> list[dict]:
    index = flags.index()
    found: dict[str, dict] = {}
    for iri in iris:
        for flag in index.about(iri) if own_only else index.of(iri):
            found.setdefault(flag.id, evidence.flag_view(flag))
    return list(found.values())


def _citing(store, node: Node, links) -> dict:
    subjects = [s for s, p in links if p in CITES]
    ids = {"title": node.text("dcterms:title"), "doi": node.text("bibo:doi")}
    ids["pmid"] = node.text("bibo:pmid")
    return {
        "citing": related(store, subjects, node),
        "flags": _flags([node.iri], False),
        "link": evidence.reference_link(ids),
        "design": evidence.design_of(node.iri),
    }


def _claim(store, node: Node, links) -> dict:
    supported = related(store, [s for s, p in links if p == SUPPORTED_BY], node)
    bearing = evidence.review_caveats()
    by_iri = {i["item"]: i for i in bearing.items}
    return {
        "references": evidence.references_of(node.iri),
        "figures": evidence.figures_of(node.iri),
        "supports": supported,
        "flags": _flags([node.iri]),
        "design": evidence.design_of(node.iri),
        "caveat": by_iri.get(node.iri),  # the claim is itself one of the review's caveats
        "qualified_by": [by_iri[s] for s, p in links if p == QUALIFIES and s in by_iri],
        "profiles": {p["recommendation"]: p["label"] for p in evidence.profiles().values()},
    }


def _criterion(store, node: Node, links) -> dict:
    ambiguities = related(store, [v.value for v in node.all("nelm:hasAmbiguity")], node)
    return {
        "references": evidence.references_of(node.iri),
        "ambiguities": ambiguities,
        "flags": _flags([node.iri]),
    }


def _recommendation(store, node: Node, links) -> dict:
    ambiguities = related(store, [v.value for v in node.all("nelm:hasAmbiguity")], node)
    return {"p": evidence.profiles()[node.iri], "ambiguities": ambiguities}


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
                if isinstance(group, list):
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
        where = local_path(iri) or iri
        raise Problem(404, None, f"The graph has nothing at {where}.", title="Not Found")
    if fmt.key != "html":
        return kit.data(writers.write_triples(triples, fmt.key, service.prefixes), fmt)
    kind = _kind_of(node)
    context = {"node": node, "incoming": links}
    builder = BUILDERS.get(kind)
    if builder:
        context.update(builder(store, node, links))
    names = iris_in([node, *_nodes_of(context)]) | {s for s, _ in links} | {p for _, p in links}
    node.names.update(service.built("label-table", lambda: label_table(store)))
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

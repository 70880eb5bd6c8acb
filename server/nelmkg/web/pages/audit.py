"""``/audit``: the citation audit of the review, as the audit's own renderers write it.

HTML when asked for (the audit's standalone document, with the site's navigation bar added
and each full resource IRI it prints turned into a link to that resource's page), JSON by
default, CSV with ``Accept: text/csv`` or ``?format=csv``. The audit reads the ontology and KG
graphs of the service's store (copied once into an rdflib graph: the audit is written for
rdflib) and the review text; it is computed on first request and kept on the app, since the
data never changes while the service runs.
"""

from __future__ import annotations

import re
import threading

import pyoxigraph as ox
from flask import Blueprint, Response, current_app
from markupsafe import escape
from rdflib import Graph

from nelmkg import paths
from nelmkg.audit import Report, render, run_audit
from nelmkg.graph.vocab import GRAPHS
from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.pages.graphview import ID_BASE
from nelmkg.web.service import current

bp = Blueprint("audit_page", __name__)
EXTENSION = "nelmkg.audit"
FORMATS: tuple[conneg.Format, ...] = (
    conneg.Format("json", "application/json"),
    conneg.Format("csv", "text/csv", charset=True),
    conneg.Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)
NAV = (
    '<nav class="site" style="background:#1f3b57;padding:.5rem 1.5rem">'
    + "".join(
        f'<a style="color:#fff;margin-right:1rem;text-decoration:none" href="{href}">{text}</a>'
        for href, text in (
            ("/", "nelmkg"),
            ("/pathway", "Figure 3 pathway"),
            ("/audit", "Citation audit"),
            ("/editor", "Query editor"),
            ("/assess/form", "Assess a case"),
        )
    )
    + "</nav>"
)
IRI_TEXT = re.compile(r">(" + re.escape(ID_BASE) + r"([A-Za-z0-9._/-]+))<")
_lock = threading.Lock()


def audit_graph(store: ox.Store) -> Graph:
    """Return the ontology and KG graphs of ``store`` as one rdflib graph."""
    triples = [
        quad.triple
        for part in ("ontology", "kg")
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[part])))
    ]
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def report() -> Report:
    """Return the app's audit report, computing it on first use."""
    cached = current_app.extensions.get(EXTENSION)
    if cached is None:
        with _lock:
            cached = current_app.extensions.get(EXTENSION)
            if cached is None:
                review = paths.review_file()
                text = review.read_text(encoding="utf-8") if review.is_file() else None
                cached = run_audit(audit_graph(current().store), text, str(review))
                current_app.extensions[EXTENSION] = cached
    return cached


def linked(html: str) -> str:
    """Add the navigation bar and link every printed resource IRI to its page."""
    html = IRI_TEXT.sub(lambda m: f'><a href="/id/{escape(m.group(2))}">{m.group(1)}</a><', html)
    return html.replace("<body>", "<body>" + NAV, 1)


@bp.get("/audit")
def audit() -> Response:
    """The citation audit in the negotiated format."""
    fmt = kit.choose(FORMATS)
    text = render(report(), fmt.key)
    return kit.data(linked(text) if fmt.key == "html" else text, fmt)

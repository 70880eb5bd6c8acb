"""``/audit``: the citation audit of the review, as the audit's own renderers write it.

HTML when asked for (the audit's standalone document, with the site's navigation bar added
and each full resource IRI it prints turned into a link to that resource's page), JSON by
default, CSV with ``Accept: text/csv`` or ``?format=csv``. The audit reads the ontology and KG
graphs of the service's store (copied once into an rdflib graph: the audit is written for
rdflib) and the review text; it is computed on first request and kept by the service, since
the data never changes while the service runs.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response
from markupsafe import escape

from nelmkg import paths
from nelmkg.audit import Report, render, run_audit
from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.pages.graphview import ID_BASE
from nelmkg.web.service import current

bp = Blueprint("audit_page", __name__)
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


def report() -> Report:
    """Return the service's audit report, computing it on first use."""
    service = current()

    def build() -> Report:
        review = paths.review_file()
        text = review.read_text(encoding="utf-8") if review.is_file() else None
        return run_audit(service.knowledge(), text, str(review))

    return service.built("audit", build)


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

"""``/editor``: YASGUI, served from ``static/yasgui/``, pointed at this service's ``/sparql``.

The page is preloaded with the named queries of ``queries/evidence/`` (a list: clicking one
opens it in a new tab) and with the project's prefixes (the first tab declares them). Named
queries that take parameters open with their variables unbound (the ``#+ example:`` values are
shown beside them). HTML only: other clients get 406 and should use ``/sparql``.
"""

from __future__ import annotations

from flask import Blueprint, Response

from nelmkg.web.pages import kit
from nelmkg.web.service import current

bp = Blueprint("editor", __name__)
START = (
    "SELECT ?class (COUNT(?s) AS ?n) WHERE {\n  ?s a ?class\n} GROUP BY ?class ORDER BY DESC(?n)"
)


@bp.get("/editor")
def editor() -> Response:
    """The query editor page."""
    service = current()
    kit.choose(kit.HTML_ONLY)
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(service.prefixes.items()))
    queries = [
        {"name": q.name, "summary": q.summary, "query": q.text, "examples": list(q.examples)}
        for q in service.named.values()
    ]
    return kit.page(
        "editor.html", start=prologue + "\n" + START, queries=queries, prefixes=service.prefixes
    )

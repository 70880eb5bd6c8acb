"""``/changes``: what changed between the previous release and the data being served.

The previous release is the latest snapshot in ``releases/`` (packaged with the data, so no git
is needed) older than the served version; the comparison is :func:`nelmkg.changes.cli.diff`,
computed on first request and kept by the service. HTML only when asked for (``text/html``);
JSON by default; Markdown for ``text/markdown`` or ``?format=md`` — the same text as the
changelog entry ``nelmkg changelog`` writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response

from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.service import current, graphs_of

if TYPE_CHECKING:  # the changes room is imported on the first request (a start saves 12 ms)
    from nelmkg.changes.compare import Changes

bp = Blueprint("changes", __name__)
FORMATS: tuple[conneg.Format, ...] = (
    conneg.Format("json", "application/json"),
    conneg.Format("md", "text/markdown", charset=True),
    conneg.Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)


def changes() -> Changes:
    """Return the changes from the previous release to the served data (computed once)."""
    from nelmkg.changes.cli import diff, previous_release
    from nelmkg.changes.sources import Side, load_side

    service = current()

    def build() -> Changes:
        served = service.ontology_version.get("version") or "current"
        old = load_side(previous_release(served))
        knowledge = graphs_of(service.store, ("kg",))
        ontology = graphs_of(service.store, ("ontology",))
        return diff(old, Side(served, knowledge, ontology))

    return service.built("changes", build)


@bp.get("/changes")
def page() -> Response:
    """What changed since the previous release: claims, criteria, references, ambiguities."""
    from nelmkg.changes.model import short
    from nelmkg.changes.render import as_json, field_line, markdown

    fmt = kit.choose(FORMATS)
    found = changes()
    if fmt.key == "html":
        return kit.page(
            "changes.html",
            fmt,
            changes=found,
            layout="base.html",
            standalone=False,
            field_line=field_line,
            short=short,
        )
    return kit.data(as_json(found) if fmt.key == "json" else markdown(found), fmt)

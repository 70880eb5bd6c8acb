"""``/audit``: the citation audit of the review, as an index and one page per recommendation.

``/audit`` is the index for browsers (each recommendation with its count of flags, each kind
of flag with what it means) and the whole report as data otherwise: JSON by default, CSV for
people (UTF-8 with a byte-order mark, titles not IRIs) with ``?format=csv``, and XLSX with
``?format=xlsx``. ``/audit/recommendation/<slug>`` shows one recommendation's chain of evidence
with every flag that touches it; ``/audit/kind/<name>`` every flag of one kind. The report is
computed once by the service (:mod:`.flags`).
"""

from __future__ import annotations

from flask import Blueprint, Response

from nelmkg.audit import render
from nelmkg.audit.model import KIND_BY_NAME
from nelmkg.audit.render import CSV_COLUMNS, flag_rows
from nelmkg.web import conneg
from nelmkg.web.pages import exports, flags, kit
from nelmkg.web.problems import Problem

bp = Blueprint("audit_page", __name__)
FORMATS: tuple[conneg.Format, ...] = (
    conneg.Format("json", "application/json"),
    exports.FORMATS["csv"],
    exports.FORMATS["xlsx"],
    conneg.Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)


def _chains() -> list[dict]:
    """Return the report's recommendation chains, each with its slug and its flags."""
    index = flags.index()
    found = []
    for chain in flags.report().recommendations:
        rec = chain["recommendation"]
        touching = [f for f in index.of(rec) if rec in f.recommendations or f.subject == rec]
        found.append({**chain, "slug": flags.slug(rec, "recommendation"), "flags": touching})
    return found


def _view(flag) -> dict:
    """Return a flag with what the audit pages show beside it."""
    labels = {c["recommendation"]: c["label"] for c in flags.report().recommendations}
    return {
        "flag": flag,
        "anchor": flags.anchor(flag),
        "kind_title": KIND_BY_NAME[flag.kind].title,
        "recommendations": [
            {"label": labels.get(r, r), "url": flags.audit_url(r)} for r in flag.recommendations
        ],
    }


@bp.get("/audit")
def audit() -> Response:
    """The audit index (HTML), or the whole report as JSON, CSV or XLSX."""
    fmt = kit.choose(FORMATS)
    report = flags.report()
    if fmt.key == "html":
        return kit.page(
            "audit_index.html", fmt, report=report, chains=_chains(), kinds=flags.kinds()
        )
    if fmt.key == "json":
        return kit.data(render(report, "json"), fmt)
    table = exports.Table("Citation audit", CSV_COLUMNS, flag_rows(report))
    response = kit.data(exports.export([table], fmt.key), fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="citation-audit.{fmt.key}"'
    return response


@bp.get("/audit/recommendation/<slug>")
def recommendation(slug: str) -> Response:
    """One recommendation's chain of evidence and every flag touching it."""
    kit.choose(kit.HTML_ONLY)
    chain = next((c for c in _chains() if c["slug"] == slug), None)
    if chain is None:
        raise Problem(404, None, f"The audit has no recommendation /audit/recommendation/{slug}.")
    by_claim = {
        c["claim"]: [_view(f) for f in flags.index().about(c["claim"])] for c in chain["claims"]
    }
    return kit.page(
        "audit_recommendation.html",
        chain=chain,
        views=[_view(f) for f in chain["flags"]],
        by_claim=by_claim,
    )


@bp.get("/audit/kind/<name>")
def kind(name: str) -> Response:
    """Every flag of one kind, in report order."""
    kit.choose(kit.HTML_ONLY)
    if name not in KIND_BY_NAME:
        raise Problem(404, None, f"The audit has no kind of flag called {name!r}.")
    report = flags.report()
    return kit.page(
        "audit_kind.html",
        kind=next(k for k in flags.kinds() if k["name"] == name),
        skipped=name in report.skipped,
        views=[_view(f) for f in report.flags_of(name)],
    )

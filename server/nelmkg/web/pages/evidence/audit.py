"""``/audit``: the citation audit of the review, as an index and one page per recommendation.

``/audit`` is the index for browsers (each recommendation with its count of flags, each kind
of flag with what it means) and the whole report as data otherwise: JSON by default, CSV for
people (UTF-8 with a byte-order mark, titles not IRIs) with ``?format=csv``, and XLSX with
``?format=xlsx``. ``/audit/recommendation/<slug>`` shows one recommendation's chain of evidence
with every flag that touches it; ``/audit/kind/<name>`` every flag of one kind. The report is
computed once by the service (:mod:`.flags`). The pages' parts (index tables, a flag in full,
a chain of evidence) are the audit room's ``templates/audit_parts.html``, which the file
``nelmkg audit --format html`` uses too; here their links go to the service's pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response

from nelmkg.audit import render
from nelmkg.audit.html import TEMPLATES, views
from nelmkg.audit.model import KIND_BY_NAME
from nelmkg.audit.render import CSV_COLUMNS, flag_rows
from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.pages.evidence import exports, flags
from nelmkg.web.pages.graphview import local_path
from nelmkg.web.problems import Problem

# The audit room's templates (audit_parts.html) are found beside the site's own.
bp = Blueprint("audit_page", __name__, template_folder=str(TEMPLATES))
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


@dataclass(frozen=True)
class WebLinks:
    """Where the audit's parts link to in the service: the resources' and the audit's pages."""

    index: str = "/audit"

    def page(self, iri: str | None) -> str | None:
        return local_path(iri) if iri else None

    def profile(self, iri: str) -> str | None:
        found = flags.slug(iri, "recommendation")
        return f"/profile/{found}" if found else None

    def recommendation(self, chain: dict) -> str:
        return flags.audit_url(chain["recommendation"])

    def flag(self, flag) -> str:
        return flags.flag_url(flag)

    def kind(self, name: str) -> str:
        return f"/audit/kind/{name}"


LINKS = WebLinks()


def _views(found) -> list[dict]:
    return views(flags.report(), found, LINKS)


@bp.get("/audit")
def audit() -> Response:
    """The audit index (HTML), or the whole report as JSON, CSV or XLSX."""
    fmt = kit.choose(FORMATS)
    report = flags.report()
    if fmt.key == "html":
        return kit.page(
            "audit_index.html",
            fmt,
            report=report,
            chains=_chains(),
            kinds=flags.kinds(),
            links=LINKS,
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
    by_claim = {c["claim"]: _views(flags.index().about(c["claim"])) for c in chain["claims"]}
    return kit.page(
        "audit_recommendation.html",
        chain=chain,
        views=_views(chain["flags"]),
        by_claim=by_claim,
        links=LINKS,
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
        views=_views(report.flags_of(name)),
        links=LINKS,
    )

"""Render an audit report as one self-contained HTML file: the service's audit in a file.

The same parts as the service's pages (``templates/audit_parts.html``, shared with
``/audit``), in the site's look (its stylesheet inlined, the navigation bar turned into links
within the file): an index by recommendation and by kind of flag, then one section per
recommendation (its sentence, the flags that touch it, its chain of evidence) and one per kind
of flag (every flag in full). Sections are ``<details>`` that a link from the index opens, so
the file reads as an index, not as one long page. No scripts, no assets, no link out of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from nelmkg import paths
from nelmkg.audit.model import KIND_BY_NAME, KINDS, Flag, Report
from nelmkg.graph import markup

TEMPLATES = Path(__file__).with_name("templates")


def anchor(flag: Flag) -> str:
    """Return the HTML id of a flag where it is shown in full."""
    return "flag-" + re.sub(r"[^A-Za-z0-9]+", "-", flag.id).strip("-")


def slug(iri: str) -> str:
    """Return the last path segment of an IRI (a recommendation's slug)."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def touching(report: Report, recommendation: str) -> list[Flag]:
    """Return the flags that touch a recommendation (it is their subject or among those they
    affect), in report order."""
    return [
        f
        for f in report.flags
        if recommendation in f.recommendations or f.subject == recommendation
    ]


def about(report: Report, claim: str) -> list[Flag]:
    """Return the flags about a claim (as their subject, claim or one of the claims compared)."""
    return [
        f
        for f in report.flags
        if claim in (f.subject, f.claim) or claim in f.details.get("claims", [])
    ]


@dataclass(frozen=True)
class FileLinks:
    """Where things link to inside the file: sections and flags; resources have no page."""

    index: str = "#top"

    def page(self, iri: str | None) -> None:
        return None  # the file links to nothing outside itself

    def profile(self, iri: str) -> None:
        return None

    def recommendation(self, chain: dict) -> str:
        return f"#rec-{slug(chain['recommendation'])}"

    def flag(self, flag: Flag) -> str:
        return f"#{anchor(flag)}"

    def kind(self, name: str) -> str:
        return f"#kind-{name}"


def views(report: Report, flags: list[Flag], links) -> list[dict]:
    """Return flags with what is shown beside them (their kind's title, the recommendations
    they affect, with links)."""
    chains = {c["recommendation"]: c for c in report.recommendations}
    return [
        {
            "flag": f,
            "anchor": anchor(f),
            "kind_title": KIND_BY_NAME[f.kind].title,
            "recommendations": [
                {
                    "label": chains[r]["label"] if r in chains else r,
                    "url": links.recommendation(chains[r]) if r in chains else None,
                }
                for r in f.recommendations
            ],
        }
        for f in flags
    ]


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )
    env.filters["quotetext"] = lambda text: Markup(markup.html(text))
    return env


def to_html(report: Report) -> str:
    """Return the report as a complete, self-contained HTML document."""
    links = FileLinks()
    counts = report.summary()["by_kind"]
    chains = []
    for chain in report.recommendations:
        claims = {
            c["claim"]: views(report, about(report, c["claim"]), links) for c in chain["claims"]
        }
        found = touching(report, chain["recommendation"])
        chains.append(
            {
                **chain,
                "slug": slug(chain["recommendation"]),
                "flags": found,
                "views": views(report, found, links),
                "by_claim": claims,
            }
        )
    kinds = [
        {
            "name": k.name,
            "title": k.title,
            "meaning": k.meaning,
            "count": counts[k.name],
            "skipped": k.name in report.skipped,
            "views": views(report, report.flags_of(k.name), links),
        }
        for k in KINDS
    ]
    page = (
        _environment()
        .get_template("audit_file.html")
        .render(
            report=report,
            chains=chains,
            kinds=kinds,
            links=links,
            stylesheet=Markup(paths.stylesheet().read_text(encoding="utf-8")),
        )
    )
    return page.rstrip() + "\n"

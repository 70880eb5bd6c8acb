"""Citation audit of the review: every recommendation's evidence chain, and what looks weak.

``run_audit(graph, review_text)`` reads ontology + KG (one graph) and, when given, the review's
text; it returns a :class:`Report` with flags of the kinds in :data:`KINDS` and one evidence
chain per recommendation. ``render(report, "json" | "csv" | "html")`` turns it into text. Flags
are never filtered: every finding is listed with why it was raised.
"""

from __future__ import annotations

from rdflib import Graph

from nelmkg.audit.authors import author_mismatches
from nelmkg.audit.chains import recommendation_chains
from nelmkg.audit.context import AuditContext, audit_queries
from nelmkg.audit.designs import design_mismatches
from nelmkg.audit.figures import differing_figures
from nelmkg.audit.model import KIND_NAMES, KINDS, Flag, Kind, Report
from nelmkg.audit.population import indirect_evidence
from nelmkg.audit.quotes import quotes_not_found
from nelmkg.audit.recommendations import recommendations_without_claims, retrospective_only
from nelmkg.audit.render import FORMATS, render
from nelmkg.audit.uncited import references_without_claims, uncited_claims

__all__ = ["FORMATS", "KINDS", "KIND_NAMES", "Flag", "Kind", "Report", "render", "run_audit"]


def run_audit(
    graph: Graph, review_text: str | None = None, review_source: str | None = None
) -> Report:
    """Audit ``graph`` (ontology + KG); check quotes against ``review_text`` when it is given.

    Without the text, the quote check is skipped and the report says so in its notes (its
    count is ``None``, not 0). ``review_source`` names the text in that note.
    """
    ctx = AuditContext(graph, audit_queries())
    flags: list[Flag] = []
    notes: list[str] = []
    skipped: list[str] = []
    flags += uncited_claims(ctx)
    flags += references_without_claims(ctx)
    if review_text is None:
        where = f" ({review_source})" if review_source else ""
        notes.append(
            f"The review text was not found{where}: quotes were not checked against it, so "
            "the 'quote-not-found' kind is skipped, not passed."
        )
        skipped.append("quote-not-found")
    else:
        flags += quotes_not_found(ctx, review_text)
    flags += differing_figures(ctx)
    flags += retrospective_only(ctx)
    flags += recommendations_without_claims(ctx)
    flags += author_mismatches(ctx)
    flags += design_mismatches(ctx)
    flags += indirect_evidence(ctx)
    order = {name: i for i, name in enumerate(KIND_NAMES)}
    flags.sort(key=lambda f: (order[f.kind], f.id))
    return Report(
        flags=flags, recommendations=recommendation_chains(ctx), notes=notes, skipped=skipped
    )

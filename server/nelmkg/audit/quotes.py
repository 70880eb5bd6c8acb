"""Flag quotes that cannot be found in the review text (skipped, with a note, without the text)."""

from __future__ import annotations

from rdflib.namespace import RDF

from nelmkg.audit.context import AuditContext, short
from nelmkg.audit.model import Flag
from nelmkg.graph.checks import normalise, quote_found
from nelmkg.graph.vocab import NELM


def quotes_not_found(ctx: AuditContext, review_text: str) -> list[Flag]:
    """Flag each statement quote that is not a substring of ``review_text``.

    Both sides are whitespace-normalised (:func:`nelmkg.graph.checks.quote_found`): the page breaks
    of
    the extraction are forgiven, nothing else is.
    """
    text = normalise(review_text)
    flags = []
    for row in ctx.rows("quote-not-found"):
        if quote_found(row.quote, text):
            continue
        statement = row.statement
        is_claim = (statement, RDF.type, NELM.EvidenceClaim) in ctx.graph
        flags.append(
            Flag(
                id=f"quote-not-found:{short(statement)}:{len(flags) + 1}",
                kind="quote-not-found",
                subject=str(statement),
                claim=str(statement) if is_claim else None,
                label=ctx.label(statement),
                quote=str(row.quote),
                message=(
                    "This quote is not in the review text, even after joining lines and "
                    "collapsing spaces; the statement cannot be located in the review until the "
                    "quote is corrected."
                ),
                references=[str(r) for r in ctx.cited(statement)],
                reference_entries=[ctx.entry(r) for r in ctx.cited(statement)],
                recommendations=ctx.recommendations_of_claim.get(str(statement), []),
            )
        )
    return flags

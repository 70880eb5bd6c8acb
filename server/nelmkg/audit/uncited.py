"""Flags for missing citation links: claims that cite nothing, references no claim cites."""

from __future__ import annotations

from rdflib import URIRef

from nelmkg.audit.context import AuditContext, short
from nelmkg.audit.model import Flag


def uncited_claims(ctx: AuditContext) -> list[Flag]:
    """Flag every evidence claim without a cito link (``queries/audit/uncited-claim.rq``).

    The message says whether the encoders marked the claim ``nelm:uncited`` (the review prints
    no citation) or whether the link is simply missing (an encoding gap).
    """
    flags = []
    for row in ctx.rows("uncited-claim"):
        claim = row.claim
        if row.marked.toPython():
            why = "The review prints no citation for this statement (marked as uncited)."
        else:
            why = (
                "The graph links this claim to no reference and does not mark it uncited: "
                "either a citation was not encoded or the uncited mark is missing."
            )
        recs = ctx.recommendations_of_claim.get(str(claim), [])
        if recs:
            names = "; ".join(f"“{ctx.label(URIRef(r))}”" for r in recs)
            why += f" It supports {len(recs)} recommendation(s): {names}."
        flags.append(
            Flag(
                id=f"uncited-claim:{short(claim)}",
                kind="uncited-claim",
                subject=str(claim),
                claim=str(claim),
                label=ctx.label(claim),
                quote=None if row.quote is None else str(row.quote),
                message=why,
                recommendations=recs,
                details={"marked_uncited": bool(row.marked.toPython())},
            )
        )
    return flags


def references_without_claims(ctx: AuditContext) -> list[Flag]:
    """Flag every reference that no evidence claim cites (``reference-without-claim.rq``)."""
    cited_by: dict[object, list[str]] = {}
    for row in ctx.rows("reference-without-claim"):
        others = cited_by.setdefault(row.reference, [])
        if row.citedBy is not None:
            others.append(str(row.citedBy))
    flags = []
    for reference, others in sorted(cited_by.items(), key=lambda kv: ctx.number(kv[0]) or 0):
        number = ctx.number(reference)
        if others:
            why = (
                f"No evidence claim cites reference {number}; it is cited only by "
                + "; ".join(f"“{ctx.label(URIRef(o))}”" for o in others)
                + "."
            )
        else:
            why = f"No statement of the graph cites reference {number}."
        flags.append(
            Flag(
                id=f"reference-without-claim:{short(reference)}",
                kind="reference-without-claim",
                subject=str(reference),
                label=ctx.label(reference),
                message=why,
                references=[str(reference)],
                reference_entries=[ctx.entry(reference)],
                recommendations=ctx.recommendations_citing(reference),
                details={"cited_by_other_statements": others},
            )
        )
    return flags

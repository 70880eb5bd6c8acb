"""Flag sentences whose named author ("X et al.") is not the first author of a cited reference."""

from __future__ import annotations

from nelmkg.audit.context import AuditContext, short
from nelmkg.audit.model import Flag
from nelmkg.graph.vocab import NELM


def author_mismatches(ctx: AuditContext) -> list[Flag]:
    """One flag per claim citing at least one reference whose first author is not the named one.

    The comparison is on surnames as printed, ignoring case (``author-mismatch.rq``). The message
    says whether the named author's own paper is among the cited ones (then the citation is
    shared with other papers, possibly in a different order) or not (then the sentence may cite
    the wrong paper). Ambiguities recorded on the claim are quoted as context.
    """
    grouped: dict[object, list] = {}
    for row in ctx.rows("author-mismatch"):
        grouped.setdefault(row.claim, []).append(row)
    flags = []
    for claim, rows in grouped.items():
        named = str(rows[0].namedAuthor)
        cited = ctx.cited(claim)
        others = ", ".join(
            f"reference {ctx.number(r.reference)} (first author {r.firstAuthor})" for r in rows
        )
        printed = ctx.text(claim, NELM.citationText) or ""
        if rows[0].namedAuthorCited.toPython():
            match = next(
                r
                for r in cited
                if (ctx.text(r, NELM.firstAuthorSurname) or "").lower() == named.lower()
            )
            why = (
                f"The sentence names {named} et al. and cites {printed}. Reference "
                f"{ctx.number(match)} is by {named}, but the same citation also points to "
                f"{others}: the clause about {named}'s findings is attributed to a paper by "
                "someone else as well. When one citation serves several named authors, the "
                "order of the numbers may not follow the order of the names."
            )
        else:
            why = (
                f"The sentence names {named} et al. and cites {printed}, but no cited reference "
                f"has {named} as first author ({others}): the citation may point to the wrong "
                "paper."
            )
        ambiguities = sorted(ctx.graph.objects(claim, NELM.hasAmbiguity))
        notes = [ctx.text(a, NELM.explanation) for a in ambiguities]
        if ambiguities:
            names = "; ".join(f"“{ctx.label(a)}”" for a in ambiguities)
            why += f" Recorded in the graph as an ambiguity: {names}."
        flags.append(
            Flag(
                id=f"author-mismatch:{short(claim)}",
                kind="author-mismatch",
                subject=str(claim),
                claim=str(claim),
                label=ctx.label(claim),
                quote=ctx.quote(claim),
                message=why,
                references=[str(r) for r in cited],
                reference_entries=[ctx.entry(r) for r in cited],
                recommendations=ctx.recommendations_of_claim.get(str(claim), []),
                details={
                    "named_author": named,
                    "citation_as_printed": printed,
                    "mismatched": [
                        {
                            "reference": str(r.reference),
                            "number": ctx.number(r.reference),
                            "first_author": str(r.firstAuthor),
                        }
                        for r in rows
                    ],
                    "named_author_cited": bool(rows[0].namedAuthorCited.toPython()),
                    "ambiguities": [str(a) for a in ambiguities],
                    "ambiguity_explanations": [n for n in notes if n],
                },
            )
        )
    return flags

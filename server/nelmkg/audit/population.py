"""Flag indirect evidence: a cited reference about another disease, tumour type or test."""

from __future__ import annotations

from nelmkg.audit.context import AuditContext, short
from nelmkg.audit.model import Flag


def indirect_evidence(ctx: AuditContext) -> list[Flag]:
    """One flag per claim, listing each cited reference whose title names another population.

    The populations that count as "other" are the table in ``indirect-evidence.rq``; the
    reference side is ``nelm:populationSuggestedByTitle`` (kg/reference-readings.ttl).
    """
    found: dict[object, list[dict]] = {}
    for row in ctx.rows("indirect-evidence"):
        found.setdefault(row.claim, []).append(
            {
                "reference": str(row.reference),
                "number": ctx.number(row.reference),
                "population_suggested_by_title": str(row.population),
                "why": str(row.why),
            }
        )
    flags = []
    for claim, items in found.items():
        cited = ctx.cited(claim)
        reasons = "; ".join(
            f"reference {i['number']} is about '{i['population_suggested_by_title']}': {i['why']}"
            for i in items
        )
        flags.append(
            Flag(
                id=f"indirect-evidence:{short(claim)}",
                kind="indirect-evidence",
                subject=str(claim),
                claim=str(claim),
                label=ctx.label(claim),
                quote=ctx.quote(claim),
                message=(
                    f"The claim is used as evidence about neuroendocrine liver metastases, but "
                    f"{reasons}. The finding is carried over from another setting and may not "
                    "hold for these patients."
                ),
                references=[str(r) for r in cited],
                reference_entries=[ctx.entry(r) for r in cited],
                recommendations=ctx.recommendations_of_claim.get(str(claim), []),
                details={"indirect": items},
            )
        )
    return flags

"""Flags about a recommendation's evidence base: only retrospective or undesigned, or none."""

from __future__ import annotations

from nelmkg.audit.context import AuditContext, short
from nelmkg.audit.model import Flag
from nelmkg.graph.vocab import NELM


def retrospective_only(ctx: AuditContext) -> list[Flag]:
    """Flag recommendations whose every supporting claim is retrospective or states no design.

    The message counts both groups explicitly ("2 retrospective, 3 design not stated"), so that
    a recommendation resting on claims that merely do not say what they are is not mistaken for
    one resting on retrospective studies.
    """
    grouped: dict[object, list] = {}
    for row in ctx.rows("retrospective-only"):
        grouped.setdefault(row.recommendation, []).append(row)
    flags = []
    for rec, rows in grouped.items():
        retro = [r for r in rows if r.retrospective.toPython()]
        unstated = [r for r in rows if not r.retrospective.toPython()]
        parts = []
        if retro:
            designs = sorted({ctx.label(r.design) for r in retro})
            parts.append(f"{len(retro)} from retrospective studies ({', '.join(designs)})")
        if unstated:
            parts.append(f"{len(unstated)} with no stated design")
        basis = (
            "retrospective"
            if retro and not unstated
            else ("design not stated" if not retro else "retrospective or design not stated")
        )
        message = (
            f"Supporting claims: {' and '.join(parts)}. None of the {len(rows)} is reported as "
            "randomized, prospective, a systematic review or meta-analysis, or a guideline."
        )
        refs = sorted(
            {ref for r in rows for ref in ctx.cited(r.claim)}, key=lambda ref: ctx.number(ref) or 0
        )
        flags.append(
            Flag(
                id=f"retrospective-only:{short(rec)}",
                kind="retrospective-only",
                subject=str(rec),
                recommendation=str(rec),
                label=ctx.label(rec),
                quote=ctx.quote(rec),
                message=message,
                references=[str(r) for r in refs],
                reference_entries=[ctx.entry(r) for r in refs],
                recommendations=[str(rec)],
                details={
                    "basis": basis,
                    "supporting_claims": [
                        {
                            "claim": str(r.claim),
                            "design": str(r.design),
                            "design_label": ctx.label(r.design),
                            "retrospective": bool(r.retrospective.toPython()),
                        }
                        for r in rows
                    ],
                },
            )
        )
    return flags


def recommendations_without_claims(ctx: AuditContext) -> list[Flag]:
    """Flag recommendations that no evidence claim supports (``recommendation-without-claims``)."""
    grouped: dict[object, list] = {}
    for row in ctx.rows("recommendation-without-claims"):
        refs = grouped.setdefault(row.recommendation, [])
        if row.reference is not None:
            refs.append(row.reference)
    flags = []
    for rec, refs in grouped.items():
        printed = ctx.text(rec, NELM.citationText)
        if refs:
            why = (
                f"No evidence claim supports this recommendation; it cites {printed} directly, "
                "without a finding from that reference being reported."
            )
        else:
            why = (
                "No evidence claim supports this recommendation and it cites no reference: it "
                "rests on the authors' statement alone."
            )
        flags.append(
            Flag(
                id=f"recommendation-without-claims:{short(rec)}",
                kind="recommendation-without-claims",
                subject=str(rec),
                recommendation=str(rec),
                label=ctx.label(rec),
                quote=ctx.quote(rec),
                message=why,
                references=[str(r) for r in refs],
                reference_entries=[ctx.entry(r) for r in refs],
                recommendations=[str(rec)],
            )
        )
    return flags

"""Evidence chains: recommendation → supporting claims → cited references, with designs and numbers.

For each claim the chain gives the design as the review states it and, for each reference, the
design and population its own title suggests (kg/reference-readings.ttl), so the two can be read
side by side; plus sample size, the values as printed (the effect) and p-values.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF

from nelmkg.audit.context import AuditContext
from nelmkg.graph.vocab import NELM


def recommendation_chains(ctx: AuditContext) -> list[dict]:
    """Return one chain per recommendation, in the review's section order."""
    recs = sorted(
        ctx.graph.subjects(RDF.type, NELM.Recommendation),
        key=lambda r: (_section_order(ctx, r), str(r)),
    )
    return [_chain(ctx, rec) for rec in recs]


def _section_order(ctx: AuditContext, statement) -> int:
    section = ctx.graph.value(statement, NELM.inSection)
    order = ctx.graph.value(section, NELM.sectionOrder) if section is not None else None
    return int(order) if order is not None else 10**6


def _chain(ctx: AuditContext, rec: URIRef) -> dict:
    claims = sorted(
        ctx.graph.objects(rec, NELM.supportedBy), key=lambda c: (_section_order(ctx, c), str(c))
    )
    section = ctx.graph.value(rec, NELM.inSection)
    return {
        "recommendation": str(rec),
        "label": ctx.label(rec),
        "quote": ctx.quote(rec),
        "section": None if section is None else ctx.label(section),
        "strength_as_worded": ctx.text(rec, NELM.strengthAsWorded),
        "population": ctx.text(rec, NELM.population),
        "therapies": sorted(ctx.label(t) for t in ctx.graph.objects(rec, NELM.recommendsTherapy)),
        "uncited": ctx.graph.value(rec, NELM.uncited) is not None
        and bool(ctx.graph.value(rec, NELM.uncited).toPython()),
        "citation_as_printed": ctx.text(rec, NELM.citationText),
        "references": [ctx.describe_reference(r) for r in ctx.cited(rec)],
        "claims": [claim_detail(ctx, c) for c in claims],
    }


def claim_detail(ctx: AuditContext, claim: URIRef) -> dict:
    """Return a claim with its design, sample size, values, p-values and references."""
    design = ctx.graph.value(claim, NELM.studyDesign)
    section = ctx.graph.value(claim, NELM.inSection)
    values = [_value(ctx, v) for v in ctx.graph.objects(claim, NELM.hasValue)]
    p_values = sorted(
        ctx.text(p, NELM.valueAsPrinted) or "" for p in ctx.graph.objects(claim, NELM.pValue)
    )
    sizes = sorted(int(n) for n in ctx.graph.objects(claim, NELM.sampleSize))
    return {
        "claim": str(claim),
        "label": ctx.label(claim),
        "quote": ctx.quote(claim),
        "section": None if section is None else ctx.label(section),
        "citation_as_printed": ctx.text(claim, NELM.citationText),
        "uncited": not ctx.cited(claim),
        "design": None if design is None else str(design),
        "design_label": ctx.design_label(design),
        "design_as_stated": ctx.text(claim, NELM.studyDesignAsStated),
        "sample_size": sizes[0] if sizes else None,
        "arm_sizes": _arm_sizes(ctx, claim),
        "values": sorted(values, key=lambda v: (v["outcome"] or "", v["printed"])),
        "p_values": p_values,
        "named_author": ctx.text(claim, NELM.namedAuthor),
        "references": [ctx.describe_reference(r) for r in ctx.cited(claim)],
    }


def _value(ctx: AuditContext, value) -> dict:
    outcome = ctx.graph.value(value, NELM.forOutcome)
    arm = ctx.graph.value(value, NELM.forArm)
    return {
        "printed": ctx.text(value, NELM.valueAsPrinted) or "",
        "outcome": None if outcome is None else ctx.label(outcome),
        "arm": None if arm is None else ctx.label(arm),
    }


def _arm_sizes(ctx: AuditContext, claim) -> list[dict]:
    arms = []
    for arm in ctx.graph.objects(claim, NELM.hasArm):
        size = ctx.graph.value(arm, NELM.sampleSize)
        if size is not None:
            arms.append({"arm": ctx.label(arm), "sample_size": int(size)})
    return sorted(arms, key=lambda a: a["arm"])

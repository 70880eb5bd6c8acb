"""Flag claims whose stated design (or setting) differs from what the cited title suggests."""

from __future__ import annotations

from nelmkg.audit.context import AuditContext, short
from nelmkg.audit.model import Flag
from nelmkg.graph.vocab import NELM


def design_mismatches(ctx: AuditContext) -> list[Flag]:
    """One flag per claim, listing each cited reference whose title disagrees with the sentence.

    Two queries feed it: ``design-mismatch.rq`` (the design concept of the sentence against
    ``nelm:designSuggestedByTitle``, with a table of compatible pairs) and
    ``design-setting-mismatch.rq`` (single / two / several institutions in the sentence's words
    against the title's).
    """
    problems: dict[object, list[dict]] = {}
    for row in ctx.rows("design-mismatch"):
        problems.setdefault(row.claim, []).append(
            {
                "aspect": "design",
                "reference": str(row.reference),
                "number": ctx.number(row.reference),
                "stated": str(row.stated),
                "stated_label": ctx.label(row.stated),
                "stated_words": None if row.statedWords is None else str(row.statedWords),
                "suggested": str(row.suggested),
                "suggested_label": ctx.label(row.suggested),
            }
        )
    for row in ctx.rows("design-setting-mismatch"):
        problems.setdefault(row.claim, []).append(
            {
                "aspect": "setting",
                "reference": str(row.reference),
                "number": ctx.number(row.reference),
                "stated_words": str(row.statedWords),
                "stated_setting": str(row.statedSetting),
                "title_setting": str(row.titleSetting),
            }
        )
    flags = []
    for claim, found in problems.items():
        cited = ctx.cited(claim)
        message = (
            "Design as stated against the cited reference: "
            + _reasons(found)
            + (
                ". The sentence may describe studies that the reference only summarises, or the "
                "citation may point to a different kind of publication than the sentence implies."
            )
        )
        if any(
            p["aspect"] == "design" and p["suggested"] == str(NELM.ConferenceAbstract)
            for p in found
        ):
            message += (
                " A conference abstract reports preliminary results that have not been "
                "published in full."
            )
        flags.append(
            Flag(
                id=f"design-mismatch:{short(claim)}",
                kind="design-mismatch",
                subject=str(claim),
                claim=str(claim),
                label=ctx.label(claim),
                quote=ctx.quote(claim),
                message=message,
                references=[str(r) for r in cited],
                reference_entries=[ctx.entry(r) for r in cited],
                recommendations=ctx.recommendations_of_claim.get(str(claim), []),
                details={"mismatches": found},
            )
        )
    return flags


def _reasons(found: list[dict]) -> str:
    """Say once what the sentence states, then what each cited title suggests."""
    parts = []
    designs = [p for p in found if p["aspect"] == "design"]
    if designs:
        first = designs[0]
        words = f"'{first['stated_words']}'" if first["stated_words"] else "its wording"
        titles = "; ".join(
            f"reference {p['number']} reads as {_article(p['suggested_label'])}" for p in designs
        )
        parts.append(
            f"the sentence calls its evidence {words} ({first['stated_label']}), but by its "
            f"printed title and journal {titles}"
        )
    for p in (p for p in found if p["aspect"] == "setting"):
        parts.append(
            f"the sentence describes a '{p['stated_words']}' ({p['stated_setting']}), but the "
            f"title of reference {p['number']} describes {p['title_setting']}"
        )
    return "; ".join(parts)


def _article(label: str) -> str:
    """Return the label with 'a' or 'an' in front."""
    return ("an " if label[:1].lower() in "aeiou" else "a ") + label

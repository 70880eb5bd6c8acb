"""Flag differing figures: claims reporting different numbers for the same outcome and therapy.

What "the same" means, precisely:

- the same outcome (``nelm:forOutcome``) and the same unit;
- the same therapies: those of the study arm the value belongs to, else every
  ``nelm:aboutTherapy`` of the claim (so ablation *with* resection is not resection alone);
- the same diagnostics (``nelm:aboutDiagnostic``; none for most therapy claims);
- the same time window: a claim that reports a share together with a window ("approximately 40%
  within 1 year") measures a different quantity from one with another window (">70% within 3
  years"). Such window values are part of the key and are not compared themselves.

Figures "differ" when their printed comparator or numbers are not identical. Each pair of
figures from different claims is then described: two point figures differ by some amount; a
point lies inside or outside a range or bound; two ranges overlap or not. Only "outside" and
"do not overlap" make the figures inconsistent (``details["consistent"] = False``); figures from
different studies are expected to differ, so a difference alone is reported as such, not as an
error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from rdflib.namespace import SKOS

from nelmkg.audit.context import AuditContext, short
from nelmkg.audit.model import Flag
from nelmkg.graph.vocab import NELM


@dataclass
class Figure:
    """One reported value, with what it is about."""

    claim: object
    value: object
    outcome: object
    unit: object
    statistic: object | None
    comparator: object
    point: Decimal | None
    low: Decimal | None
    high: Decimal | None
    printed: str
    therapies: frozenset
    diagnostics: frozenset

    def interval(self) -> tuple[float, float, bool, bool]:
        """Return (low, high, low_closed, high_closed): the values the figure allows."""
        p = float(self.point) if self.point is not None else None
        c = self.comparator
        if c == NELM.Range or (p is None and self.low is not None and self.high is not None):
            return float(self.low), float(self.high), True, True
        if c == NELM.GreaterThan:
            return p, math.inf, False, False
        if c == NELM.AtLeast:
            return p, math.inf, True, False
        if c == NELM.LessThan:
            return -math.inf, p, False, False
        if c in (NELM.AtMost, NELM.UpTo):
            return -math.inf, p, False, True
        return p, p, True, True

    def is_point(self) -> bool:
        low, high, _, _ = self.interval()
        return low == high

    def signature(self) -> tuple:
        return (str(self.comparator), self.point, self.low, self.high)


def _figures(ctx: AuditContext) -> list[Figure]:
    """Fold the query's rows (one per value and therapy) into one Figure per value."""
    found: dict[object, Figure] = {}
    therapies: dict[object, set] = {}
    diagnostics: dict[object, set] = {}
    for row in ctx.rows("differing-figures"):
        if row.value not in found:
            found[row.value] = Figure(
                claim=row.claim,
                value=row.value,
                outcome=row.outcome,
                unit=row.unit,
                statistic=row.statistic,
                comparator=row.comparator,
                point=_num(row.point),
                low=_num(row.min),
                high=_num(row.max),
                printed=str(row.printed),
                therapies=frozenset(),
                diagnostics=frozenset(),
            )
        if row.therapy is not None:
            therapies.setdefault(row.value, set()).add(row.therapy)
        if row.diagnostic is not None:
            diagnostics.setdefault(row.value, set()).add(row.diagnostic)
    for value, figure in found.items():
        figure.therapies = frozenset(therapies.get(value, ()))
        figure.diagnostics = frozenset(diagnostics.get(value, ()))
    return list(found.values())


def _num(term) -> Decimal | None:
    return None if term is None else Decimal(str(term))


def _groups(figures: list[Figure]) -> dict[tuple, list[Figure]]:
    """Group figures by outcome, unit, therapies, diagnostics and time window."""
    by_claim_outcome: dict[tuple, list[Figure]] = {}
    for fig in figures:
        by_claim_outcome.setdefault((fig.claim, fig.outcome), []).append(fig)
    groups: dict[tuple, list[Figure]] = {}
    for figs in by_claim_outcome.values():
        windows = [f for f in figs if f.statistic == NELM.Interval]
        measures = [f for f in figs if f.statistic != NELM.Interval]
        if measures and windows:
            window_key = tuple(sorted(f.printed for f in windows))
        else:  # an interval that is itself the outcome (e.g. a follow-up interval)
            measures, window_key = figs, ()
        for fig in measures:
            key = (fig.outcome, fig.unit, fig.therapies, fig.diagnostics, window_key)
            groups.setdefault(key, []).append(fig)
    return groups


def differing_figures(ctx: AuditContext) -> list[Flag]:
    """One flag per group of figures that are not all identical."""
    flags = []
    for key, figs in sorted(_groups(_figures(ctx)).items(), key=lambda kv: _sort_key(kv[0])):
        if len({f.signature() for f in figs}) < 2:
            continue
        flags.append(_flag(ctx, key, figs))
    return flags


def _sort_key(key: tuple) -> tuple:
    outcome, unit, therapies, diagnostics, window = key
    return (str(outcome), sorted(map(str, therapies)), sorted(map(str, diagnostics)), window)


def _flag(ctx: AuditContext, key: tuple, figs: list[Figure]) -> Flag:
    outcome, unit, therapies, diagnostics, window = key
    figs = sorted(
        figs,
        key=lambda f: (
            min(ctx.number(r) or 0 for r in ctx.cited(f.claim)) if ctx.cited(f.claim) else 10**6,
            str(f.claim),
        ),
    )
    named = sorted(ctx.label(t) for t in therapies | diagnostics)
    about = " and ".join(named) or "no named therapy"
    subject = f"{ctx.label(outcome)} of {about}"
    if window:
        subject += f" ({', '.join(window)})"
    side_by_side = "; ".join(_describe(ctx, f) for f in figs)
    observations, consistent = _compare(ctx, figs, unit)
    same_source = _shared_references(ctx, figs)
    message = (
        f"Differing figures for the same outcome: {subject}. {side_by_side}. These figures come "
        "from different sources (studies, designs and patient groups), so they can differ "
        "without either being wrong; read each with its design. "
        + (f"{observations}. " if observations else "")
        + (
            "All figures are compatible with one another's printed ranges or bounds."
            if consistent
            else "Some figures fall outside another's printed range or bound."
        )
    )
    if same_source:
        message += (
            f" The same reference ({', '.join(map(str, same_source))}) is cited for "
            "different figures, which deserves a check against the source."
        )
    refs = sorted({r for f in figs for r in ctx.cited(f.claim)}, key=lambda r: ctx.number(r) or 0)
    claims = list(dict.fromkeys(str(f.claim) for f in figs))
    recs = sorted({r for c in claims for r in ctx.recommendations_of_claim.get(c, [])})
    slug = "+".join(sorted(short(t) for t in therapies | diagnostics)) or "none"
    return Flag(
        id=f"differing-figures:{short(outcome)}:{slug}",
        kind="differing-figures",
        subject=str(outcome),
        claim=claims[0],
        label=subject,
        quote=ctx.quote(figs[0].claim),
        message=message,
        references=[str(r) for r in refs],
        reference_entries=[ctx.entry(r) for r in refs],
        recommendations=recs,
        details={
            "outcome": str(outcome),
            "therapies": sorted(map(str, therapies)),
            "diagnostics": sorted(map(str, diagnostics)),
            "window": list(window),
            "consistent": consistent,
            "claims": claims,
            "figures": [
                {
                    "claim": str(f.claim),
                    "printed": f.printed,
                    "statistic": None if f.statistic is None else ctx.label(f.statistic),
                    "references": [ctx.number(r) for r in ctx.cited(f.claim)],
                    "design": ctx.design_label(ctx.graph.value(f.claim, NELM.studyDesign)),
                    "quote": ctx.quote(f.claim),
                }
                for f in figs
            ],
        },
    )


def _describe(ctx: AuditContext, fig: Figure) -> str:
    refs = ", ".join(str(ctx.number(r)) for r in ctx.cited(fig.claim)) or "uncited"
    stat = f", {ctx.label(fig.statistic)}" if fig.statistic is not None else ""
    design = ctx.design_label(ctx.graph.value(fig.claim, NELM.studyDesign))
    return f"'{fig.printed}'{stat} (reference {refs}; {design})"


def _compare(ctx: AuditContext, figs: list[Figure], unit) -> tuple[str, bool]:
    """Describe each pair of figures from different claims; return (text, consistent)."""
    notation = str(ctx.graph.value(unit, SKOS.notation) or "")
    step = "percentage points" if notation == "%" else notation
    notes, consistent = [], True
    for a, b in combinations(figs, 2):
        if a.claim == b.claim:
            continue
        if a.is_point() and b.is_point():
            gap = abs(a.interval()[0] - b.interval()[0])
            unit_words = step[:-1] if gap == 1 and step.endswith("s") else step
            notes.append(f"'{a.printed}' and '{b.printed}' differ by {gap:g} {unit_words}".rstrip())
            continue
        if a.is_point() or b.is_point():
            point, span = (a, b) if a.is_point() else (b, a)
            inside = _contains(span.interval(), point.interval()[0])
            consistent &= inside
            where = "lies within" if inside else "lies outside"
            notes.append(f"'{point.printed}' {where} '{span.printed}'")
            continue
        overlap = _overlap(a.interval(), b.interval())
        consistent &= overlap
        verb = "overlap" if overlap else "do not overlap"
        notes.append(f"'{a.printed}' and '{b.printed}' {verb}")
    return "; ".join(notes), consistent


def _contains(interval: tuple, x: float) -> bool:
    low, high, low_closed, high_closed = interval
    above = x >= low if low_closed else x > low
    below = x <= high if high_closed else x < high
    return above and below


def _overlap(a: tuple, b: tuple) -> bool:
    low = max(a[0], b[0])
    high = min(a[1], b[1])
    if low < high:
        return True
    return low == high and _contains(a, low) and _contains(b, low)


def _shared_references(ctx: AuditContext, figs: list[Figure]) -> list[int]:
    """Return reference numbers cited by two claims of the group whose figures differ."""
    shared: set[int] = set()
    for a, b in combinations(figs, 2):
        if a.claim != b.claim and a.signature() != b.signature():
            common = set(ctx.cited(a.claim)) & set(ctx.cited(b.claim))
            shared |= {ctx.number(r) for r in common if ctx.number(r) is not None}
    return sorted(shared)

"""What an audit produces: flags (one finding each), recommendation chains and the report.

A :class:`Flag` is plain data so that the JSON, CSV and HTML renderers, the service and the tests
read the same fields. ``KINDS`` is the one table of flag kinds: its order is the report's order,
and its ``meaning`` texts are what the reports print to explain each kind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Kind:
    """One kind of flag: a short title and what a flag of this kind means for a reader."""

    name: str
    title: str
    meaning: str


KINDS: tuple[Kind, ...] = (
    Kind(
        "uncited-claim",
        "Claim without a reference",
        "The review makes this statement without citing any reference, so a reader cannot check "
        "it against a source. It may be the authors' own view or common knowledge; it is not "
        "wrong for that, but it is not evidence from a cited study.",
    ),
    Kind(
        "reference-without-claim",
        "Reference that no claim cites",
        "The reference is in the review's list, but no evidence claim of the graph cites it: "
        "either the review cites it only for a criterion or recommendation, or a finding that "
        "cites it has not been encoded.",
    ),
    Kind(
        "quote-not-found",
        "Quote not found in the review text",
        "The verbatim quote that anchors this statement cannot be found in the review's text "
        "(after joining lines and collapsing spaces). Either the quote was mistyped or the text "
        "differs; the statement's provenance cannot be shown until it is fixed.",
    ),
    Kind(
        "differing-figures",
        "Differing figures for the same outcome",
        "Two or more claims report a number for the same outcome of the same therapy or test, "
        "and the numbers are not the same. They usually come from different studies, designs "
        "and patient groups, so a difference is expected and is not by itself an error; the "
        "figures are shown side by side so that each can be read with its source and design.",
    ),
    Kind(
        "retrospective-only",
        "Recommendation resting only on retrospective or undesigned evidence",
        "Every claim that supports this recommendation comes from a retrospective study "
        "(retrospective series or comparison, registry) or does not state its design at all. "
        "None is reported as randomized, prospective, a systematic review or meta-analysis, or "
        "a guideline.",
    ),
    Kind(
        "recommendation-without-claims",
        "Recommendation that no claim supports",
        "No evidence claim of the graph supports this recommendation: the review states it "
        "without reporting a finding for it (it may cite a reference directly, shown here).",
    ),
    Kind(
        "author-mismatch",
        "Named author differs from the cited reference's first author",
        "The sentence names an author ('X et al. reported …') but cites a reference whose "
        "first author is someone else. The citation may point to the wrong paper, or the "
        "sentence may cite several papers in an order that does not follow the names.",
    ),
    Kind(
        "design-mismatch",
        "Stated design differs from what the reference's title suggests",
        "The sentence describes its evidence as one kind of study (or setting), but the cited "
        "reference's own title and journal suggest another (for example a narrative review, a "
        "guideline or a conference abstract). The sentence may describe studies that the "
        "reference only summarises, or cite the wrong paper.",
    ),
    Kind(
        "indirect-evidence",
        "Indirect evidence: the reference is about another disease or test",
        "The cited reference's title names a different disease, tumour type or test from the "
        "one the claim is about, so the claim rests on evidence borrowed from another setting.",
    ),
)
KIND_NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
KIND_BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}


@dataclass
class Flag:
    """One finding of the audit.

    ``subject`` is what the flag is about (a claim, a reference or a recommendation); ``claim``
    and ``recommendation`` repeat it when it is one. ``references`` are reference IRIs and
    ``reference_entries`` their list entries as printed, in the same order. ``details`` holds
    kind-specific data (figures, designs, names) for renderers and tests.
    """

    id: str
    kind: str
    subject: str
    message: str
    claim: str | None = None
    recommendation: str | None = None
    label: str | None = None
    quote: str | None = None
    references: list[str] = field(default_factory=list)
    reference_entries: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return the flag as JSON-ready data."""
        return asdict(self)


@dataclass
class Report:
    """The audit: flags, per-recommendation evidence chains, and notes about what was skipped."""

    flags: list[Flag]
    recommendations: list[dict]
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """Count flags per kind (every kind listed; a skipped kind counts as ``None``)."""
        counts: dict[str, int | None] = {name: 0 for name in KIND_NAMES}
        for flag in self.flags:
            counts[flag.kind] += 1
        for name in self.skipped:
            counts[name] = None
        return {
            "flags": len(self.flags),
            "by_kind": counts,
            "recommendations": len(self.recommendations),
        }

    def flags_of(self, kind: str) -> list[Flag]:
        """Return the flags of one kind, in report order."""
        return [f for f in self.flags if f.kind == kind]

    def to_dict(self) -> dict:
        """Return the whole report as JSON-ready data."""
        return {
            "summary": self.summary(),
            "kinds": [asdict(k) for k in KINDS],
            "notes": list(self.notes),
            "flags": [f.to_dict() for f in self.flags],
            "recommendations": self.recommendations,
        }

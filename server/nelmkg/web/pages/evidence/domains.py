"""The GRADE domains of an evidence profile: what the review lets us see, and the flags behind it.

Each domain (``profile.toml``) gets a ``status`` — ``flagged`` (an audit flag bears on it),
``described`` (the review gives what the domain reads, and no flag was raised) or
``not assessable`` (the review gives nothing to judge it by) — a ``summary`` in words built
from the profile's own data, and the flags of its kinds. No certainty rating is made: GRADE's
judgement needs more than a review prints.
"""

from __future__ import annotations

from nelmkg.audit import Flag
from nelmkg.audit.model import KIND_BY_NAME

NOT_ASSESSABLE = "not assessable from the review"


def _view(flag: Flag) -> dict:
    from nelmkg.web.pages.evidence.evidence import flag_view  # one view of a flag for every page

    return flag_view(flag)


def _grounded(claims: list[dict]) -> str:
    """Return how many claims carry one design label, and the printed words it rests on."""
    words = sorted({f"“{w}”" for c in claims for w in c["design"]["words"]})
    count = f"{len(claims)} claim{'s' if len(claims) > 1 else ''}"
    if not words:
        return f"{count}: the review names no design"
    return f"{count}: the review's words {', '.join(words)}"


def _risk_of_bias(profile: dict) -> str | None:
    claims = profile["claims"]
    if not claims:
        return None
    by_label: dict[str, list[dict]] = {}
    for c in claims:
        by_label.setdefault(c["design"]["label"] or "design not stated", []).append(c)
    listed = "; ".join(f"{label} ({_grounded(found)})" for label, found in sorted(by_label.items()))
    return (
        f"Study designs of the {len(claims)} supporting claim(s), from the words the review "
        f"prints: {listed}."
    )


def _inconsistency(profile: dict) -> str | None:
    with_figures = [c for c in profile["claims"] if any(e["outcome"] for e in c["effects"])]
    if len(with_figures) < 2:
        return None
    return (
        f"{len(with_figures)} supporting claims report figures for an outcome; the audit compares "
        "figures for the same outcome and therapy."
    )


def _indirectness(profile: dict) -> str | None:
    cited = {r["reference"] for c in profile["claims"] for r in c["references"]}
    if not cited:
        return None
    return (
        f"The titles of the {len(cited)} reference(s) the supporting claims cite were checked "
        "against the population each claim is about."
    )


def _imprecision(profile: dict) -> str | None:
    claims = profile["claims"]
    printed = []
    for c in claims:
        if c["arms"]:  # the arms' sizes are what the review prints; a total may be derived
            arms = ", ".join(f"{a['arm']}: {a['sample_size']}" for a in c["arms"])
            printed.append(f"{arms} ({c['label']})")
        elif c["sample_size"] is not None:
            printed.append(f"{c['sample_size']} ({c['label']})")
    if not printed:
        return None
    missing = len(claims) - len(printed)
    tail = f"; not printed for {missing} claim(s)" if missing else ""
    return "Sample sizes as printed: " + "; ".join(printed) + tail + "."


READERS = {
    "risk_of_bias": _risk_of_bias,
    "inconsistency": _inconsistency,
    "indirectness": _indirectness,
    "imprecision": _imprecision,
}


def summarise(profile: dict, touching: list[Flag], config: dict) -> list[dict]:
    """Return the profile's GRADE domains, in ``profile.toml`` order."""
    claims = {c["claim"] for c in profile["claims"]}
    relevant = [
        f
        for f in touching
        if f.subject == profile["recommendation"]
        or f.recommendation == profile["recommendation"]
        or ({f.claim, *f.details.get("claims", [])} & claims)
    ]
    out = []
    for domain in config["domain"]:
        reader = READERS.get(domain["key"])
        summary = None if domain.get("never_assessable") or reader is None else reader(profile)
        found = [_view(f) for f in relevant if f.kind in domain["flags"]]
        if summary is None and not found:
            status = "not assessable"
            summary = f"{NOT_ASSESSABLE.capitalize()}: {domain['absent']}."
        else:
            status = "flagged" if found else "described"
        out.append(
            {
                "key": domain["key"],
                "title": domain["title"],
                "question": domain["question"],
                "reads": domain["reads"],
                "status": status,
                "summary": summary,
                "flags": found,
                "flag_kinds": [KIND_BY_NAME[k].title for k in domain["flags"]],
            }
        )
    return out


def citation_checks(profile: dict, config: dict) -> dict:
    """Return the flags on the citation chain itself (not a GRADE domain)."""
    kinds = config["citation_checks"]["flags"]
    seen: dict[str, dict] = {}
    for flag in profile["flags"] + [f for c in profile["claims"] for f in c["flags"]]:
        if flag["kind"] in kinds:
            seen.setdefault(flag["id"], flag)
    return {"title": config["citation_checks"]["title"], "flags": list(seen.values())}

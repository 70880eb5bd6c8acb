"""Evidence profiles as tables for spreadsheets: one row per supporting claim, one per domain.

Every cell is plain text for people: labels and titles, never IRIs, and the extraction's
markup removed (:func:`nelmkg.graph.markup.plain`).
"""

from __future__ import annotations

from nelmkg.graph.markup import plain
from nelmkg.web.pages.evidence.exports import Table

CLAIM_COLUMNS = (
    "Recommendation",
    "Strength as worded",
    "Claim",
    "Quote",
    "Section",
    "References",
    "Reference links",
    "Study design",
    "Design: printed words",
    "Design: mapping rule",
    "Sample size as printed",
    "Effect as printed",
    "P values as printed",
    "Audit flags",
)
CAVEAT_COLUMNS = (
    "Recommendation",
    "Kind",
    "Caveat or research need",
    "Quote",
    "Section",
    "How it bears on the recommendation",
)
DOMAIN_COLUMNS = (
    "Recommendation",
    "GRADE domain",
    "Status",
    "What the review shows",
    "Audit flags",
)


def _flags(flags: list[dict]) -> str:
    return "\n".join(f"{f['kind_title']}: {plain(f['message'])}" for f in flags)


def _size(claim: dict) -> str:
    if claim["arms"]:
        return "; ".join(f"{a['arm']}: {a['sample_size']}" for a in claim["arms"])
    return "not stated" if claim["sample_size"] is None else str(claim["sample_size"])


def _effects(claim: dict) -> str:
    lines = []
    for e in claim["effects"]:
        about = ", ".join(x for x in (e["outcome"], e["arm"], e["statistic"]) if x)
        lines.append(plain(e["printed"]) + (f" ({about})" if about else ""))
    return "\n".join(lines) or "not stated"


def claim_row(p: dict, c: dict) -> list[str]:
    """Return one claim of a profile as a row of :data:`CLAIM_COLUMNS`."""
    refs = c["references"]
    return [
        plain(p["label"]),
        p["strength"] or "not stated",
        plain(c["label"]),
        plain(c["quote"]),
        c["section"] or "not stated",
        "\n".join(f"[{r['number']}] {plain(r['entry'])}" for r in refs) or "none cited",
        "\n".join(r["link"]["url"] for r in refs),
        c["design"]["label"] or "design not stated",
        "\n".join(plain(w) for w in c["design"]["words"]) or "not stated",
        c["design"]["rule"] or "not stated",
        _size(c),
        _effects(c),
        "; ".join(plain(v) for v in c["p_values"]),
        _flags(c["flags"]),
    ]


def _ways(item: dict) -> str:
    return "\n".join(
        w["text"] + (f" {plain(w['via_label'])}" if w["via_label"] else "") for w in item["ways"]
    )


def tables(profiles: list[dict]) -> list[Table]:
    """Return the claims, domains and caveats tables of the given profiles."""
    claims = Table("Supporting claims", CLAIM_COLUMNS)
    domains = Table("GRADE domains", DOMAIN_COLUMNS)
    caveats = Table("Caveats and research", CAVEAT_COLUMNS)
    for p in profiles:
        if not p["claims"]:
            claims.rows.append(
                [plain(p["label"]), p["strength"] or "not stated", "no supporting claim"]
                + [""] * (len(CLAIM_COLUMNS) - 4)
                + [_flags(p["flags"])]
            )
        claims.rows.extend(claim_row(p, c) for c in p["claims"])
        for d in p["domains"]:
            domains.rows.append(
                [
                    plain(p["label"]),
                    d["title"],
                    d["status"],
                    plain(d["summary"]),
                    _flags(d["flags"]),
                ]
            )
        caveats.rows.extend(
            [
                plain(p["label"]),
                i["kind_title"],
                plain(i["label"]),
                plain(i["quote"]),
                i["section"] or "not stated",
                _ways(i),
            ]
            for i in p["caveats"]
        )
    return [claims, domains, caveats]

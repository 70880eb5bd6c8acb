"""Render an audit report as one self-contained HTML page (inline CSS, no scripts, no assets).

Written for readers who are not programmers: a summary that explains each kind of flag, then
every recommendation with its chain of evidence and the flags that touch it, then every flag
grouped by kind with the quote and the reference entries side by side.
"""

from __future__ import annotations

import re
from html import escape

from nelmkg.audit.model import KIND_BY_NAME, KINDS, Flag, Report

_STYLE = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;
  color:#1d2329;background:#fafbfc}
main{max-width:1100px;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}
h2{margin-top:2.5rem;border-bottom:2px solid #d8dee4;padding-bottom:.3rem}
h3{margin:1.6rem 0 .4rem}
a{color:#0b5cad}
table{border-collapse:collapse;width:100%;margin:.6rem 0;background:#fff}
th,td{border:1px solid #d8dee4;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#eef2f6}
td.n{text-align:right;white-space:nowrap}
.meaning{color:#4a5560;margin:.2rem 0 .8rem}
.flag{background:#fff;border:1px solid #d8dee4;border-left:5px solid #c7691c;
  border-radius:4px;padding:.6rem .9rem;margin:.8rem 0}
.flag .kind{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:#8a4a12}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.8rem;margin-top:.5rem}
.pair>div{background:#f5f7f9;border-radius:4px;padding:.5rem .7rem}
.pair h4{margin:0 0 .3rem;font-size:.8rem;text-transform:uppercase;color:#4a5560}
blockquote{margin:0;font-style:italic}
.rec{background:#fff;border:1px solid #d8dee4;border-radius:4px;padding:.6rem .9rem;
  margin:1rem 0}
.tag{display:inline-block;font-size:.78rem;background:#fde7d3;color:#7a3c06;
  border-radius:3px;padding:0 .35rem;margin:.1rem .2rem .1rem 0}
.muted{color:#68737d}
.note{background:#fff7d6;border:1px solid #e6cf70;padding:.5rem .8rem;border-radius:4px}
ul.refs{margin:0;padding-left:0;list-style:none}
ul.refs li{margin-bottom:.25rem}
code{font-size:.85em}
"""


def _anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def _e(text: object) -> str:
    return escape("" if text is None else str(text))


def _about(population: str | None) -> str:
    return f"; about {_e(population)}" if population else ""


def _short(iri: str) -> str:
    return iri.rsplit("/", 2)[-2] + "/" + iri.rsplit("/", 1)[-1] if "/" in iri else iri


def to_html(report: Report) -> str:
    """Return the report as a complete HTML document."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Citation audit — Neuroendocrine liver metastases review "
        "(Cloyd et al. 2020)</title>",
        f"<style>{_STYLE}</style></head><body><main>",
        "<h1>Citation audit</h1>",
        "<p>Cloyd JM, Ejaz A, Konda B, Makary MS, Pawlik TM. <em>Neuroendocrine liver "
        "metastases: a contemporary review of treatment strategies.</em> HepatoBiliary Surg Nutr "
        "2020;9(4):440-451.</p>",
        "<p class='meaning'>For every recommendation of the review: the findings (claims) it "
        "rests on, the references they cite, and what kind of study each is, as the review "
        "states it and as the reference's own title suggests. Places where the chain of evidence "
        "looks weak or inconsistent are flagged below with the reason; nothing is hidden. A flag "
        "is a prompt to check, not a verdict.</p>",
        "<nav><a href='#summary'>Summary</a> · <a href='#by-recommendation'>By recommendation</a>"
        " · <a href='#by-kind'>By kind of flag</a></nav>",
    ]
    parts += _summary(report)
    parts += _by_recommendation(report)
    parts += _by_kind(report)
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _summary(report: Report) -> list[str]:
    counts = report.summary()["by_kind"]
    out = ["<h2 id='summary'>Summary</h2>"]
    for note in report.notes:
        out.append(f"<p class='note'>{_e(note)}</p>")
    out.append("<table><tr><th>Kind of flag</th><th>Count</th><th>What it means</th></tr>")
    for kind in KINDS:
        count = counts[kind.name]
        shown = "not checked" if count is None else str(count)
        out.append(
            f"<tr><td><a href='#kind-{kind.name}'>{_e(kind.title)}</a></td>"
            f"<td class='n'>{shown}</td><td>{_e(kind.meaning)}</td></tr>"
        )
    out.append("</table>")
    out.append(
        f"<p class='muted'>{len(report.flags)} flags in all, "
        f"{len(report.recommendations)} recommendations.</p>"
    )
    return out


def _flags_by_recommendation(report: Report) -> dict[str, list[Flag]]:
    found: dict[str, list[Flag]] = {}
    for flag in report.flags:
        for rec in flag.recommendations:
            found.setdefault(rec, []).append(flag)
    return found


def _by_recommendation(report: Report) -> list[str]:
    touching = _flags_by_recommendation(report)
    by_claim = _flags_by_claim(report)
    out = [
        "<h2 id='by-recommendation'>By recommendation</h2>",
        "<p class='meaning'>Each recommendation with the claims that support it and the "
        "references those claims cite. 'Design as stated' is how the review describes the "
        "evidence; 'title suggests' is the encoders' reading of the reference's printed "
        "title and journal.</p>",
    ]
    for chain in report.recommendations:
        rec = chain["recommendation"]
        out.append(f"<div class='rec' id='rec-{_anchor(rec)}'>")
        out.append(f"<h3>{_e(chain['label'])}</h3>")
        out.append(f"<blockquote>“{_e(chain['quote'])}”</blockquote>")
        facts = [
            ("Strength as worded", chain["strength_as_worded"]),
            ("For", chain["population"]),
            ("Section", chain["section"]),
            ("Citation as printed", chain["citation_as_printed"] or "none (uncited)"),
        ]
        out.append("<p>" + " · ".join(f"<b>{_e(k)}:</b> {_e(v)}" for k, v in facts if v) + "</p>")
        flags = touching.get(rec, [])
        if flags:
            out.append(f"<p><b>Flags:</b> {_tags(flags)}</p>")
        if chain["claims"]:
            out += _claims_table(chain["claims"], by_claim)
        else:
            out.append("<p class='muted'>No evidence claim supports this recommendation.</p>")
        out.append("</div>")
    return out


def _flags_by_claim(report: Report) -> dict[str, list[Flag]]:
    found: dict[str, list[Flag]] = {}
    for flag in report.flags:
        for claim in {flag.claim, *flag.details.get("claims", [])} - {None}:
            found.setdefault(claim, []).append(flag)
    return found


def _tags(flags: list[Flag]) -> str:
    return " ".join(
        f"<a class='tag' href='#{_anchor(f.id)}'>{_e(KIND_BY_NAME[f.kind].title)}</a>"
        for f in flags
    )


def _claims_table(claims: list[dict], by_claim: dict[str, list[Flag]]) -> list[str]:
    out = [
        "<table><tr><th>Claim (quote)</th><th>Design as stated</th><th>References "
        "(entry as printed · title suggests)</th><th>n</th><th>Effect as printed</th>"
        "<th>P</th></tr>"
    ]
    for claim in claims:
        stated = claim["design_label"]
        if claim["design_as_stated"]:
            stated += f" — “{claim['design_as_stated']}”"
        refs = "".join(
            f"<li>{_e(r['entry'])}<br><span class='muted'>title suggests: "
            f"{_e(r['design_suggested_by_title_label'] or 'no design named')}"
            f"{_about(r['population_suggested_by_title'])}"
            "</span></li>"
            for r in claim["references"]
        )
        refs = f"<ul class='refs'>{refs}</ul>" if refs else "<span class='muted'>uncited</span>"
        size = claim["sample_size"]
        arms = ", ".join(f"{a['arm']}: {a['sample_size']}" for a in claim["arm_sizes"])
        n = _e(size if size is not None else "") + (
            f"<br><span class='muted'>{_e(arms)}</span>" if arms else ""
        )
        values = "<br>".join(
            _e(v["printed"])
            + (
                f" <span class='muted'>({_e(v['outcome'])}"
                f"{', ' + _e(v['arm']) if v['arm'] else ''})</span>"
                if v["outcome"] or v["arm"]
                else ""
            )
            for v in claim["values"]
        )
        tags = _tags(by_claim.get(claim["claim"], []))
        out.append(
            f"<tr><td><b>{_e(claim['label'])}</b><br><blockquote>“{_e(claim['quote'])}”"
            f"</blockquote>{tags}</td><td>{_e(stated)}</td><td>{refs}</td><td class='n'>{n}</td>"
            f"<td>{values}</td><td>{_e(', '.join(claim['p_values']))}</td></tr>"
        )
    out.append("</table>")
    return out


def _by_kind(report: Report) -> list[str]:
    out = ["<h2 id='by-kind'>By kind of flag</h2>"]
    for kind in KINDS:
        flags = report.flags_of(kind.name)
        out.append(f"<h3 id='kind-{kind.name}'>{_e(kind.title)} ({len(flags)})</h3>")
        out.append(f"<p class='meaning'>{_e(kind.meaning)}</p>")
        if kind.name in report.skipped:
            out.append("<p class='note'>Not checked in this run (see the notes above).</p>")
        elif not flags:
            out.append("<p class='muted'>None found.</p>")
        out += [_flag(flag) for flag in flags]
    return out


def _flag(flag: Flag) -> str:
    recs = " ".join(
        f"<a href='#rec-{_anchor(r)}'>{_e(_short(r))}</a>" for r in flag.recommendations
    )
    entries = "".join(f"<li>{_e(e)}</li>" for e in flag.reference_entries)
    entries = f"<ul class='refs'>{entries}</ul>" if entries else "<p class='muted'>none cited</p>"
    quote = (
        f"<blockquote>“{_e(flag.quote)}”</blockquote>"
        if flag.quote
        else "<p class='muted'>no quote</p>"
    )
    affected = f"<p class='muted'>Recommendations affected: {recs}</p>" if recs else ""
    return (
        f"<div class='flag' id='{_anchor(flag.id)}'>"
        f"<div class='kind'>{_e(KIND_BY_NAME[flag.kind].title)}</div>"
        f"<p><b>{_e(flag.label or flag.subject)}</b> "
        f"<code class='muted'>{_e(flag.subject)}</code></p>"
        f"<p>{_e(flag.message)}</p>"
        "<div class='pair'>"
        f"<div><h4>What the review says</h4>{quote}</div>"
        f"<div><h4>Reference entry as printed</h4>{entries}</div>"
        f"</div>{affected}</div>"
    )

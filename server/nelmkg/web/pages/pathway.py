"""``/pathway``: the review's Figure 3 pathway drawn from the graph as an inline SVG.

Steps (``nelm:PathwayStep``), their order, branch conditions and successors
(``nelm:nextStep``) and the recommendations each leads to (``nelm:leadsTo``) are read by
SPARQL; nothing about the figure is written here. Layout is layered: a step's layer is the
length of the longest ``nextStep`` chain reaching it; each step is a column with its
recommendations stacked beneath it, and arrows go from the bottom of a column to the steps
that follow. Every box links to its resource page (and so to the evidence). ``GET /pathway``
answers the SVG alone unless HTML is asked for.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response
from markupsafe import Markup, escape

from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.pages.graphview import ID_BASE, NELM, local_path
from nelmkg.web.service import current

bp = Blueprint("pathway", __name__)
PATHWAY = ID_BASE + "pathway/figure-3"
FORMATS: tuple[conneg.Format, ...] = (
    conneg.Format("svg", "image/svg+xml", charset=True),
    conneg.Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)
_PREFIXES = f"PREFIX nelm: <{NELM}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
STEPS = (
    _PREFIXES
    + """SELECT ?pathway ?step ?label ?order ?condition WHERE {
  ?pathway nelm:hasStep ?step . ?step rdfs:label ?label .
  OPTIONAL { ?step nelm:stepOrder ?order } OPTIONAL { ?step nelm:branchCondition ?condition }
} ORDER BY ?order ?step"""
)
NEXT = (
    _PREFIXES
    + """SELECT ?pathway ?step ?next WHERE {
  ?pathway nelm:hasStep ?step . ?step nelm:nextStep ?next } ORDER BY ?step ?next"""
)
LEADS = (
    _PREFIXES
    + """SELECT ?pathway ?step ?rec ?label ?strength (COUNT(DISTINCT ?claim) AS ?claims)
WHERE { ?pathway nelm:hasStep ?step . ?step nelm:leadsTo ?rec . ?rec rdfs:label ?label .
  OPTIONAL { ?rec nelm:strengthAsWorded ?strength } OPTIONAL { ?rec nelm:supportedBy ?claim } }
GROUP BY ?pathway ?step ?rec ?label ?strength ORDER BY ?step ?rec"""
)
TITLE = _PREFIXES + "SELECT ?pathway ?label WHERE { ?pathway rdfs:label ?label }"

# CHARS per line keeps 12 px text inside a 250 px box (checked in Chromium by the browser tests);
# a box is as tall as its lines (LINE_H each), so no text runs past its border.
BOX_W, STEP_H, REC_H, GAP, COL_W, LAYER_GAP, CHARS, LINE_H = 250, 74, 74, 12, 280, 50, 36, 14


@dataclass
class Box:
    """A box of the diagram: a step or a recommendation."""

    iri: str
    label: str
    note: str = ""
    kind: str = "step"
    x: float = 0
    y: float = 0
    h: float = STEP_H
    recs: list = field(default_factory=list)


def read(store, pathway: str = PATHWAY) -> tuple[str, list[Box], list[tuple[str, str]]]:
    """Return the pathway's title, its steps (with recommendations) and the step edges."""
    bind = {ox.Variable("pathway"): ox.NamedNode(pathway)}
    title = next((r["label"].value for r in store.query(TITLE, substitutions=bind)), pathway)
    steps = {}
    for row in store.query(STEPS, substitutions=bind):
        if row["step"].value not in steps:
            condition = row["condition"].value if row["condition"] else ""
            steps[row["step"].value] = Box(row["step"].value, row["label"].value, condition)
    for row in store.query(LEADS, substitutions=bind):
        note = f"“{row['strength'].value}” · " if row["strength"] else ""
        claims = int(row["claims"].value)
        steps[row["step"].value].recs.append(
            Box(row["rec"].value, row["label"].value, f"{note}{claims} claim(s)", "rec", h=REC_H)
        )
    edges = [(r["step"].value, r["next"].value) for r in store.query(NEXT, substitutions=bind)]
    return title, list(steps.values()), edges


def layers(steps: list[Box], edges: list[tuple[str, str]]) -> list[list[Box]]:
    """Group steps by the length of the longest chain of ``nextStep`` reaching them."""
    depth = {s.iri: 0 for s in steps}
    for _ in steps:  # longest path by relaxation; the pathway is small and acyclic
        for a, b in edges:
            if a in depth and b in depth:
                depth[b] = max(depth[b], depth[a] + 1)
    grouped: dict[int, list[Box]] = {}
    for step in steps:
        grouped.setdefault(depth[step.iri], []).append(step)
    return [grouped[d] for d in sorted(grouped)]


def _lines(box: Box) -> list[tuple[str, str]]:
    """Return the box's lines as (class, text): the whole label, then the whole note."""
    lines = [("label", line) for line in textwrap.wrap(box.label, CHARS)]
    if box.note:
        note = ("if: " if box.kind == "step" else "") + box.note
        lines += [("note", line) for line in textwrap.wrap(note, CHARS)]
    return lines


def fit(box: Box) -> None:
    """Make the box tall enough for all its lines."""
    box.h = max(box.h, 10 + LINE_H * len(_lines(box)))


def _text(box: Box) -> str:
    return "".join(
        f'<text class="{cls}" x="{box.x + 8}" y="{box.y + 17 + i * LINE_H}">{escape(line)}</text>'
        for i, (cls, line) in enumerate(_lines(box))
    )


def draw(title: str, steps: list[Box], edges: list[tuple[str, str]]) -> Markup:
    """Return the SVG of the pathway."""
    rows = layers(steps, edges)
    width = max(len(r) for r in rows) * COL_W + 20 if rows else 300
    y = 50.0
    bottoms: dict[str, tuple[float, float]] = {}
    for row in rows:
        left = (width - len(row) * COL_W) / 2 + (COL_W - BOX_W) / 2
        row_h = 0.0
        for i, step in enumerate(row):
            fit(step)
            step.x, step.y = left + i * COL_W, y
            cy = y + step.h + GAP
            for rec in step.recs:
                fit(rec)
                rec.x, rec.y = step.x, cy
                cy += rec.h + GAP
            bottoms[step.iri] = (step.x + BOX_W / 2, cy - GAP)
            row_h = max(row_h, cy - y)
        y += row_h + LAYER_GAP
    by_iri = {s.iri: s for s in steps}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pathway" width="{width:.0f}" '
        f'height="{y:.0f}" viewBox="0 0 {width:.0f} {y:.0f}" role="img" '
        f'aria-label="{escape(title)}">',
        "<style>rect.step{fill:#e8f0f8;stroke:#1f3b57}rect.rec{fill:#fff;stroke:#176b2c;"
        "stroke-dasharray:4 2}text{font:12px system-ui,sans-serif;fill:#1d2329}"
        "text.note{fill:#555;font-style:italic}line{stroke:#1f3b57;stroke-width:1.5}"
        "text.title{font-size:15px;font-weight:bold}</style>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f3b57"/>'
        "</marker></defs>",
        f'<text class="title" x="10" y="24">{escape(title)}</text>',
    ]
    for a, b in edges:
        if a in bottoms and b in by_iri:
            (x1, y1), target = bottoms[a], by_iri[b]
            parts.append(
                f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{target.x + BOX_W / 2:.0f}" '
                f'y2="{target.y:.0f}" marker-end="url(#arrow)"/>'
            )
    for step in steps:
        for box in (step, *step.recs):
            href = escape(local_path(box.iri) or box.iri)
            parts.append(
                f'<a href="{href}" class="{box.kind}"><title>{escape(box.label)}</title>'
                f'<rect class="{box.kind}" x="{box.x:.0f}" y="{box.y:.0f}" width="{BOX_W}" '
                f'height="{box.h:.0f}" rx="6"/>{_text(box)}</a>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


@bp.get("/pathway")
def pathway() -> Response:
    """The Figure 3 pathway (SVG, or an HTML page around it)."""
    store = current().store
    fmt = kit.choose(FORMATS)
    title, steps, edges = read(store)
    svg = draw(title, steps, edges)
    if fmt.key == "svg":
        return kit.data(str(svg), fmt)
    return kit.page(
        "pathway.html", fmt, title=title, svg=svg, steps=steps, pathway=local_path(PATHWAY)
    )
